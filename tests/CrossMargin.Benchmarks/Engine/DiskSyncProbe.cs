using System.Diagnostics;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// The disk's own latency for what a group commit asks of it: write a few WAL frames' worth of bytes into a file
/// whose blocks already exist, then flush it to disk. Measured in the journal's directory beside (b), because a commit
/// acknowledged only once durable cannot be faster than this, and this VM's disk sets much of (b)'s tail.
/// </summary>
internal static class DiskSyncProbe
{
    private const int FileBytes = 16 << 20;

    /// <summary>Times <paramref name="writes"/> sequential write-and-flush rounds of <paramref name="bytes"/> each.</summary>
    public static LatencySample Measure(string directory, int writes, int bytes)
    {
        var path = Path.Combine(directory, "disk-sync-probe.bin");
        var sample = new LatencySample(writes);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
            // Written out and flushed first, as a WAL that checkpoints restart is: the rounds below allocate no blocks.
            var zeros = new byte[1 << 20];
            for (var offset = 0; offset < FileBytes; offset += zeros.Length)
            {
                RandomAccess.Write(handle, zeros, offset);
            }

            RandomAccess.FlushToDisk(handle);
            var frames = new byte[bytes];
            new Random(7).NextBytes(frames);
            long at = 0;
            for (var i = 0; i < writes; i++)
            {
                var started = Stopwatch.GetTimestamp();
                RandomAccess.Write(handle, frames, at);
                RandomAccess.FlushToDisk(handle);
                sample.Add(Stopwatch.GetTimestamp() - started);
                at = (at + bytes) % (FileBytes - bytes);
            }
        }
        finally
        {
            File.Delete(path);
        }

        return sample;
    }
}
