namespace CrossMargin.Cli.Tests.Cluster;

/// <summary>Marks a test that changes the shared cluster (a member joins and leaves): <see cref="ClusterChangesLast"/> runs it after the others.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChangesTheClusterAttribute : Attribute;
