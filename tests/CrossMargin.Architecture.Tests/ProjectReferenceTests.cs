using System.Reflection;

namespace CrossMargin.Architecture.Tests;

/// <summary>Dependencies point down: each assembly may reference only the layers below it.</summary>
public sealed class ProjectReferenceTests
{
    private static readonly string[] Framework = ["System", "Microsoft.Win32", "netstandard", "mscorlib"];

    [Fact]
    public void Risk_references_nothing_but_the_base_library()
    {
        var references = ReferencesOf("CrossMargin.Risk");

        Assert.All(references, r => Assert.True(IsBaseLibrary(r), $"CrossMargin.Risk must stay pure but references {r}"));
    }

    [Fact]
    public void Risk_does_not_use_io_clocks_or_randomness()
    {
        var risk = Assembly.Load("CrossMargin.Risk");
        var forbidden = new[] { "System.IO.File", "System.Net", "System.Random", "System.Threading.Thread" };
        var referencedTypes = risk.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic).Select(f => f.FieldType))
            .Select(t => t.FullName ?? "")
            .ToArray();

        Assert.DoesNotContain(referencedTypes, t => forbidden.Any(f => t.StartsWith(f, StringComparison.Ordinal)));
        Assert.DoesNotContain(ReferencesOf("CrossMargin.Risk"), r => r.StartsWith("System.Net", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CrossMargin.Risk.Serialization", new[] { "CrossMargin.Risk" })]
    [InlineData("cm", new[] { "CrossMargin.Risk", "CrossMargin.Risk.Serialization" })]
    [InlineData("CrossMargin.Actors", new string[0])]
    [InlineData("CrossMargin.Actors.TestKit", new[] { "CrossMargin.Actors" })]
    [InlineData("CrossMargin.Persistence", new[] { "CrossMargin.Actors" })]
    [InlineData("CrossMargin.Cluster", new[] { "CrossMargin.Actors", "CrossMargin.Persistence" })]
    [InlineData("CrossMargin.Cluster.RabbitMq", new string[0])]
    [InlineData("CrossMargin.Engine", new[] { "CrossMargin.Risk", "CrossMargin.Actors", "CrossMargin.Persistence", "CrossMargin.Cluster" })]
    [InlineData("CrossMargin.Contracts", new[] { "CrossMargin.Risk", "CrossMargin.Engine" })]
    [InlineData("CrossMargin.Simulator", new[] { "CrossMargin.Risk", "CrossMargin.Engine", "CrossMargin.Contracts" })]
    [InlineData("crossmargin-node", new[]
    {
        "CrossMargin.Risk", "CrossMargin.Risk.Serialization", "CrossMargin.Actors", "CrossMargin.Persistence", "CrossMargin.Cluster", "CrossMargin.Engine",
        "CrossMargin.Contracts", "CrossMargin.Simulator", "CrossMargin.Cluster.RabbitMq",
    })]
    public void Project_references_only_layers_below_it(string assembly, string[] allowed)
    {
        var ours = ReferencesOf(assembly).Where(r => r.StartsWith("CrossMargin", StringComparison.Ordinal) || r is "cm" or "crossmargin-node");

        Assert.All(ours, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void Only_the_transport_project_knows_the_broker_client()
    {
        // The cluster's membership, leases and sharding stay testable without a broker; the transport plugs in beside them.
        foreach (var assembly in new[] { "CrossMargin.Cluster", "CrossMargin.Engine", "CrossMargin.Persistence" })
        {
            Assert.DoesNotContain("RabbitMQ.Client", ReferencesOf(assembly));
        }

        Assert.Contains("RabbitMQ.Client", ReferencesOf("CrossMargin.Cluster.RabbitMq"));
    }

    private static string[] ReferencesOf(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToArray();

    private static bool IsBaseLibrary(string name) =>
        Framework.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal));
}
