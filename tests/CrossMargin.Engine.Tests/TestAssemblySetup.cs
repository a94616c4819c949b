using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CrossMargin.Engine.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// Probes wait by blocking, and test classes run in parallel beside the engines' actors. On a 2-core machine the pool
    /// starts with two threads and adds more only slowly, so under load an actor's turn could wait seconds for a thread,
    /// past a probe's 3 s (seen once in a full suite run: a margin pass's reply arrived after its test had ended).
    /// Start with enough threads.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Test assembly: process-wide setup is the intent.")]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
