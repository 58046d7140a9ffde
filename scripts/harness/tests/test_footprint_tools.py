"""The size and profile tables' pure parts: which module a symbol no object claims
belongs to, what kind of bytes an `nm` letter is, and how a line of
`callgrind_annotate` is read."""

import unittest

from harness.profile_table import LINE
from harness.size_by_module import CODE, DATA, READ_ONLY, guess, kind_of


class SizeBySymbolTests(unittest.TestCase):
    def test_nm_letters_are_code_read_only_data_or_data(self):
        for letter in "TtWw":
            self.assertEqual(kind_of(letter), CODE, letter)
        for letter in "RrVv":
            self.assertEqual(kind_of(letter), READ_ONLY, letter)
        for letter in "DdBb":
            self.assertEqual(kind_of(letter), DATA, letter)

    def test_unclaimed_symbols_are_named_by_their_prefix_or_mangling(self):
        self.assertEqual(guess("CNIOBoringSSL_SHA256_Update"), "CNIOBoringSSL")
        self.assertEqual(guess("CCryptoBoringSSL_EVP_sha256"), "CCryptoBoringSSL")
        self.assertEqual(guess("$s8Watchdog9SignalKeyV11descriptionSSvg"), "Watchdog")
        self.assertEqual(guess("$s10Collectors14ProcessScannerV"), "Collectors")
        self.assertEqual(guess("$sSS5countSivg"), "toolchain:swiftCore")
        self.assertEqual(guess("_ZN5swift14MetadataCacheKey"), "unattributed")
        self.assertEqual(guess("main"), "unattributed")


class CallgrindLineTests(unittest.TestCase):
    def test_a_function_line_gives_its_cost_name_and_object(self):
        found = LINE.match("   108,383,606 ( 3.87%)  ???:$s8Watchdog9SignalKeyV1loiySbAC_ACtFZ [/tmp/w/profiled]")
        self.assertIsNotNone(found)
        self.assertEqual(found.group(1), "108,383,606")
        self.assertEqual(found.group(2).strip(), "$s8Watchdog9SignalKeyV1loiySbAC_ACtFZ")
        self.assertEqual(found.group(3), "/tmp/w/profiled")

    def test_a_line_of_a_library_with_a_source_file_keeps_the_function(self):
        found = LINE.match("    88,848,637 ( 3.02%)  ./malloc/./malloc/malloc.c:malloc [/usr/lib/x86_64-linux-gnu/libc.so.6]")
        self.assertIsNotNone(found)
        self.assertEqual(found.group(2).strip(), "malloc")
        self.assertEqual(found.group(3), "/usr/lib/x86_64-linux-gnu/libc.so.6")

    def test_headers_and_totals_are_not_functions(self):
        self.assertIsNone(LINE.match("2,655,337,604 (100.0%)  PROGRAM TOTALS"))
        self.assertIsNone(LINE.match("Ir                       file:function"))


if __name__ == "__main__":
    unittest.main()
