/// Used share in percent of a capacity of which `available` is left: the one formula of
/// memory and disk readings. An available figure above the total (a kernel race) counts
/// as nothing used; an empty capacity as 0 %.
func usedPercent(total: UInt64, available: UInt64) -> Double {
    guard total > 0 else { return 0 }
    return Double(total - min(available, total)) / Double(total) * 100
}
