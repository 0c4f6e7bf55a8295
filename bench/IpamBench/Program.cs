// Allocates every address of a /16 through IpamAllocator + SqliteIpamStore on a temp file and prints the total
// time and the median cost of the first and the last 1,000 allocations (flat cost = the search does not degrade
// as the pool fills).
using System.Diagnostics;
using MyDocker.Engine.Networks.Ipam;

var subnet = IPv4Subnet.Parse(args.Length > 0 ? args[0] : "172.30.0.0/16");
var dir = Directory.CreateTempSubdirectory("ipam-bench-");
try
{
    var path = Path.Combine(dir.FullName, "engine.db");
    var pool = new IpamPool("bench", subnet, subnet.Network + 1, null, "bench");
    var expected = (int)subnet.Size - 3;
    var ticks = new long[expected];

    using (var store = new SqliteIpamStore($"Data Source={path}"))
    {
        var ipam = new IpamAllocator(store);
        // Warm-up on another pool for a second, so that the first measured allocations do not run tier-0 JIT code
        // (tiered compilation promotes hot methods only after a ~100 ms quiet period).
        var warm = IPv4Subnet.Parse("10.99.0.0/16");
        ipam.OpenPool(new IpamPool("warm-up", warm, warm.Network + 1, null));
        var warmClock = Stopwatch.StartNew();
        for (var i = 0; i < 30_000 && warmClock.ElapsedMilliseconds < 1000; i++) ipam.Allocate("warm-up", "owner");
        ipam.ClosePool("warm-up", deleteLeases: true);

        var total = Stopwatch.StartNew();
        ipam.OpenPool(pool);
        for (var i = 0; i < expected; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            ipam.Allocate("bench", "owner");
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }
        total.Stop();

        var usage = ipam.Usage("bench");
        if (usage.Free != 0 || usage.Used != expected) throw new InvalidOperationException($"unexpected usage {usage}");
        Console.WriteLine($"subnet {subnet}: {expected:N0} allocations in {total.Elapsed.TotalSeconds:F3} s " +
                          $"({total.Elapsed.TotalMicroseconds / expected:F1} µs mean)");
        var n = Math.Min(1000, expected);
        Console.WriteLine($"median first {n:N0}: {Median(ticks.AsSpan(0, n)):F1} µs, last {n:N0}: {Median(ticks.AsSpan(expected - n, n)):F1} µs");
        var slow = ticks.Where(t => t * 1000.0 / Stopwatch.Frequency > 1).ToArray();
        Console.WriteLine($"{slow.Length:N0} allocations over 1 ms took {slow.Sum() * 1.0 / Stopwatch.Frequency:F3} s in all");
        Console.WriteLine($"p99 first {n:N0}: {Percentile(ticks.AsSpan(0, n), 0.99):F1} µs, last {n:N0}: {Percentile(ticks.AsSpan(expected - n, n), 0.99):F1} µs");
    }

    // Reload cost: what a daemon restart pays for a full /16.
    using (var store = new SqliteIpamStore($"Data Source={path}"))
    {
        var reload = Stopwatch.StartNew();
        var ipam = new IpamAllocator(store);
        ipam.OpenPool(pool);
        reload.Stop();
        Console.WriteLine($"reopen with {ipam.Usage("bench").Used:N0} leases: {reload.Elapsed.TotalMilliseconds:F0} ms; " +
                          $"database {new FileInfo(path).Length / 1024:N0} KiB + WAL {new FileInfo(path + "-wal").Length / 1024:N0} KiB");
    }
}
finally
{
    dir.Delete(recursive: true);
}

static double Median(ReadOnlySpan<long> ticks) => Percentile(ticks, 0.5);

static double Percentile(ReadOnlySpan<long> ticks, double p)
{
    var sorted = ticks.ToArray();
    Array.Sort(sorted);
    var value = sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    return value * 1_000_000.0 / Stopwatch.Frequency;
}
