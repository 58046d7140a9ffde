// libFuzzer's driver around `FuzzTarget`, for `scripts/fuzz.sh`, which builds it with
// `-DFUZZING`, AddressSanitizer, libFuzzer's coverage instrumentation and libFuzzer's
// runtime without its `main` (SwiftPM names this executable's entry point
// `WatchdogFuzz_main`, so the driver is started from there). In an ordinary build this
// executable only says how to build it. (Not `main.swift`: the fuzzing build compiles
// every module as a library, where a top-level statement is an error.)
//
//     WATCHDOG_FUZZ_TARGET=ec2-xml .build-fuzz/release/watchdog-fuzz CORPUS -max_total_time=60

import Foundation
import FuzzTargets

#if FUZZING
    /// The target named by `WATCHDOG_FUZZ_TARGET`, read once.
    let selectedTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["WATCHDOG_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("WATCHDOG_FUZZ_TARGET must be one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_cdecl("WatchdogFuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        _ = selectedTarget
        var argc = argc
        var argv = argv
        return runFuzzerDriver(&argc, &argv, fuzzOneInput)
    }
#else
    /// Without `-DFUZZING` there is no driver; say how to get one.
    @main enum WatchdogFuzz {
        static func main() {
            FileHandle.standardError.write(Data("watchdog-fuzz: build and run it with scripts/fuzz.sh\n".utf8))
            exit(2)
        }
    }
#endif
