using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CrossMargin.Actors.Tests;

internal static class TestAssemblySetup
{
    /// <summary>
    /// Several tests hold an actor's turn at a <see cref="Gate"/>, which blocks a pool thread. On a 2-core
    /// machine the pool starts with two threads and adds more only slowly, so a few such tests running in
    /// parallel would delay every other actor by hundreds of milliseconds. Start with enough threads.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Test assembly: process-wide setup is the intent.")]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
