using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>Runs an FsCheck property inside an xunit fact with a bounded number of cases.</summary>
public static class PropertyCheck
{
    /// <summary>Checks <paramref name="assertion"/> (which throws on failure) for <paramref name="cases"/> generated values.</summary>
    public static void ForAll<T>(Gen<T> gen, Action<T> assertion, int cases = 100) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases), Prop.ForAll(Arb.From(gen), assertion));
}
