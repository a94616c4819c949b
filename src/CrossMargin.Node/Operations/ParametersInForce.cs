namespace CrossMargin.Node.Operations;

/// <summary>
/// The answer of <c>GET /api/v1/risk/params</c>: the sets this node has in force and, on a cluster node, every member's,
/// so an operator can see an apply converge.
/// </summary>
/// <param name="Node">The answering node.</param>
/// <param name="Sets">Its sets per slot.</param>
/// <param name="Scope"><c>node</c> or <c>cluster</c>.</param>
/// <param name="Partial">Whether a member did not answer.</param>
/// <param name="Converged">Whether every member answered with the same version in every slot.</param>
/// <param name="Nodes">Each member's sets (this node's included), by name.</param>
public sealed record ParametersInForce(string Node, IReadOnlyList<Hosting.RiskParameterSet> Sets, string Scope, bool Partial, bool Converged,
    IReadOnlyList<NodeParameterSets> Nodes);
