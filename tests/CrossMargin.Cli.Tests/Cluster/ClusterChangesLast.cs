using Xunit.Abstractions;
using Xunit.Sdk;

namespace CrossMargin.Cli.Tests.Cluster;

/// <summary>
/// Runs the tests that read the shared cluster first (by name) and those that change it last, so a hand-off they cause
/// (accounts whose shards moved are live again only once a message reaches them) never meets a test that counts accounts.
/// </summary>
public sealed class ClusterChangesLast : ITestCaseOrderer
{
    public const string TypeName = "CrossMargin.Cli.Tests.Cluster." + nameof(ClusterChangesLast);
    public const string AssemblyName = "CrossMargin.Cli.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases
            .OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(ChangesTheClusterAttribute).AssemblyQualifiedName).Any())
            .ThenBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
