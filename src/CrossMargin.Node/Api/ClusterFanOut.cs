using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Operations;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Api;

/// <summary>
/// Asks the other members of the cluster for their local part of an operation, over their HTTP admin API (the address
/// each wrote in its membership row), forwarding the caller's bearer token so every member applies its own access rules.
/// Asked: every member that holds a live shard lease, and every member up or leaving whose heartbeat is fresh (it may be
/// taking shards over); a member with neither holds no accounts (a stopped member that never reached "left" included).
/// </summary>
internal static class ClusterFanOut
{
    /// <summary>The query a member's local part is asked with; a local request never fans out again.</summary>
    public const string LocalScope = "local";

    /// <summary>A 400 naming the two scopes a fanned-out operation takes, or null when <paramref name="scope"/> is one of them (or absent).</summary>
    public static IResult? ScopeProblem(string? scope) => scope is null or "cluster" or LocalScope
        ? null
        : Results.Problem($"scope must be 'cluster' (the default: every member on a cluster node) or '{LocalScope}' (this node's accounts), " +
                          $"not '{scope}'.", statusCode: StatusCodes.Status400BadRequest, title: "Bad scope");

    // One client for the process: members are few and long-lived, and a pooled connection lifetime follows address changes.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The other members to ask (name, admin address), and the shards no member holds a live lease for.</summary>
    public static async Task<(IReadOnlyList<(string Node, string Address)> Others, IReadOnlyList<int> UnservedShards)> TargetsAsync(
        ClusterRuntime cluster, CancellationToken cancellation)
    {
        var options = cluster.Options;
        var members = await cluster.Membership.ReadMembersAsync(options.HeartbeatTimeout, cancellation);
        var leases = (await cluster.Leases.ReadAsync(LeaseNames.ShardPrefix(options.Region), cancellation)).Where(l => l.IsLive).ToArray();
        var holders = leases.Select(l => l.Owner).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var others = members
            .Where(m => m.NodeId != options.NodeId && (holders.Contains(m.NodeId) || (m.IsReachable && m.Status is (MemberStatus.Up or MemberStatus.Leaving))))
            .Select(m => (m.NodeId, m.HttpAddress))
            .ToArray();
        var served = leases.Select(l => LeaseNames.ShardIdOf(options.Region, l.Name)).ToHashSet();
        return (others, Enumerable.Range(0, options.ShardCount).Where(s => !served.Contains(s)).ToArray());
    }

    /// <summary>
    /// POSTs <paramref name="body"/> (GETs when it is null) to <paramref name="pathAndQuery"/> on every target at once; each
    /// answers or says why not.
    /// </summary>
    public static Task<MemberAnswer<T>[]> AskAsync<T>(IEnumerable<(string Node, string Address)> targets, string pathAndQuery, string? body,
        HttpContext context, TimeSpan timeout, CancellationToken cancellation)
        where T : class
    {
        var json = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var authorization = context.Request.Headers.Authorization.ToString();
        return Task.WhenAll(targets.Select(t => AskOneAsync<T>(t.Node, t.Address, pathAndQuery, body, authorization, json, timeout, cancellation)));
    }

    private static async Task<MemberAnswer<T>> AskOneAsync<T>(string node, string address, string pathAndQuery, string? body, string authorization,
        JsonSerializerOptions json, TimeSpan timeout, CancellationToken cancellation)
        where T : class
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            return new MemberAnswer<T>(node, null, $"no usable admin address in its membership row ('{address}')");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, new Uri(root, pathAndQuery))
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (AuthenticationHeaderValue.TryParse(authorization, out var header))
        {
            request.Headers.Authorization = header;
        }

        try
        {
            using var response = await Http.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new MemberAnswer<T>(node, null, $"answered {(int)response.StatusCode}: {DetailOf(text)}") { Status = (int)response.StatusCode };
            }

            return JsonSerializer.Deserialize<T>(text, json) is { } part
                ? new MemberAnswer<T>(node, part, null)
                : new MemberAnswer<T>(node, null, "answered an empty body");
        }
        catch (HttpRequestException e)
        {
            return new MemberAnswer<T>(node, null, $"unreachable at {root}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new MemberAnswer<T>(node, null, $"did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (JsonException e)
        {
            return new MemberAnswer<T>(node, null, $"answered something that is not its local part: {e.Message}");
        }
    }

    private static string DetailOf(string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            foreach (var name in new[] { "detail", "reason", "title" })
            {
                if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty(name, out var value) &&
                    value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the start of the text says enough.
        }

        return text.Length > 200 ? text[..200] : text;
    }
}
