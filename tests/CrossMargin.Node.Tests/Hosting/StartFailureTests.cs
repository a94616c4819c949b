using System.Diagnostics;
using CrossMargin.Node.Hosting;

namespace CrossMargin.Node.Tests.Hosting;

/// <summary>A node that cannot start says why in a few lines and exits 1, not with the runtime's abort and stack trace.</summary>
public sealed class StartFailureTests
{
    [Fact]
    public async Task A_node_started_with_a_setting_out_of_range_prints_the_reason_and_exits_1()
    {
        var data = Directory.CreateTempSubdirectory("cm-start-failure-").FullName;
        try
        {
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "crossmargin-node.exe" : "crossmargin-node"))
            {
                WorkingDirectory = data,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { "--Node:DataDirectory=" + data, "--Simulator:Enabled=false", "--Node:MaxSequenceJump=0" })
            {
                start.ArgumentList.Add(arg);
            }

            using var node = Process.Start(start)!;
            var stderr = node.StandardError.ReadToEndAsync();
            var stdout = node.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await node.WaitForExitAsync(timeout.Token);

            var error = await stderr;
            Assert.True(StartFailure.ExitCode == node.ExitCode, $"exit code {node.ExitCode}; stderr:\n{error}\nstdout:\n{await stdout}");
            Assert.StartsWith("crossmargin-node could not start:", error, StringComparison.Ordinal);
            Assert.Contains("Node:MaxSequenceJump must be 1 or more", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void The_description_lists_every_inner_message_outer_first_without_repeating_a_wrapper_that_says_the_same()
    {
        var failure = new InvalidOperationException("Start failed.",
            new AggregateException("Two things.", new TimeoutException("The broker did not answer."), new IOException("Disk full.")));
        var same = new InvalidOperationException("Disk full.", new InvalidOperationException("Disk full."));

        Assert.Equal(string.Join(Environment.NewLine,
                "InvalidOperationException: Start failed.",
                "  AggregateException: Two things. (The broker did not answer.) (Disk full.)",
                "    TimeoutException: The broker did not answer.",
                "    IOException: Disk full."),
            StartFailure.Describe(failure));
        Assert.Equal("InvalidOperationException: Disk full.", StartFailure.Describe(same));
    }
}
