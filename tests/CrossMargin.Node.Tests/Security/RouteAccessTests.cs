using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using CrossMargin.Node.Security;
using CrossMargin.Node.Tests.Api;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Security;

/// <summary>
/// The node's route table, read from the running node (not from the README), against the access rules: a route added
/// later without the right tag fails here rather than opening a state change to anyone who can reach the port.
/// </summary>
public sealed partial class RouteAccessTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private const string VenueToken = "venue-secret-0123456789";

    // The venue's message contract and its liquidation reports (ingest), and the stress run (a read that computes).
    private static readonly HashSet<string> StateChangingBelowAdmin = new(StringComparer.Ordinal)
    {
        "POST /api/v1/accounts", "POST /api/v1/executions", "POST /api/v1/orders/accepted", "POST /api/v1/orders/cancelled",
        "POST /api/v1/deposits", "POST /api/v1/withdrawals", "POST /api/v1/funding", "POST /api/v1/expiry", "POST /api/v1/margin-mode",
        "POST /api/v1/pre-trade", "POST /api/v1/prices", "POST /api/v1/liquidation-reports", "POST /api/v1/stress",
    };

    private static readonly HashSet<string> AnonymousReads = new(StringComparer.Ordinal)
    {
        "GET /health", "GET /ready", "GET /", "GET /dashboard/{file}", "GET /api/v1/access",
    };

    private readonly List<NodeUnderTest> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [Fact]
    public async Task Every_route_that_is_not_a_get_refuses_a_call_without_a_token_when_reads_and_ingest_need_one()
    {
        var node = await Start("--Security:AllowAnonymousReads=false", "--Security:RequireTokenForIngest=true");
        var routes = Routes(node);
        var open = new List<string>();

        foreach (var route in routes.Where(r => r.Method is not ("GET" or "HEAD")))
        {
            using var response = await Send(node, route, token: null, "{}");
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                open.Add($"{route.Method} {route.Pattern}: {(int)response.StatusCode}");
            }
        }

        Assert.True(routes.Count(r => r.Method is not ("GET" or "HEAD")) > 20, "The route table was not read: " + string.Join(", ", routes));
        Assert.True(open.Count == 0, "Answered without a token: " + string.Join("; ", open));
    }

    [Fact]
    public async Task Every_state_changing_route_outside_the_venue_contract_needs_an_admin_token_by_default()
    {
        var node = await Start();
        var routes = Routes(node).Where(r => r.Method is not ("GET" or "HEAD")).ToList();
        var open = new List<string>();

        foreach (var route in routes.Where(r => !StateChangingBelowAdmin.Contains(r.Key)))
        {
            using var anonymous = await Send(node, route, token: null, "{}");
            using var venue = await Send(node, route, VenueToken, "{}");
            if (anonymous.StatusCode != HttpStatusCode.Unauthorized || venue.StatusCode != HttpStatusCode.Forbidden)
            {
                open.Add($"{route.Key}: {(int)anonymous.StatusCode} without a token, {(int)venue.StatusCode} with an ingest token");
            }
        }

        Assert.Equal(StateChangingBelowAdmin.Order(StringComparer.Ordinal),
            routes.Where(r => r.Access != AccessLevel.Admin).Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.True(open.Count == 0, "Not held to an admin token: " + string.Join("; ", open));
    }

    [Fact]
    public async Task Only_probes_the_dashboard_files_and_the_access_question_are_open_to_anyone_whatever_the_settings()
    {
        var node = await Start();

        var anonymous = Routes(node).Where(r => r.Access == AccessLevel.Anonymous).Select(r => r.Key).Order(StringComparer.Ordinal);

        Assert.Equal(AnonymousReads.Order(StringComparer.Ordinal), anonymous);
    }

    [Fact]
    public async Task A_malformed_or_deeply_nested_body_on_any_route_is_a_4xx_problem_never_a_500_or_a_stack()
    {
        var node = await Start();
        var nested = new string('[', 5_000) + new string(']', 5_000);
        var failures = new List<string>();

        foreach (var route in Routes(node).Where(r => r.Method is not ("GET" or "HEAD")))
        {
            foreach (var body in new[] { "{", "{\"a\":", nested, "\"not an object\"" })
            {
                using var response = await Send(node, route, AdminToken, body);
                var text = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode >= 500 || text.Contains("Exception", StringComparison.Ordinal) || StackFrame().IsMatch(text))
                {
                    failures.Add($"{route.Key} with {body[..Math.Min(12, body.Length)]}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private async Task<NodeUnderTest> Start(params string[] settings)
    {
        var node = await NodeUnderTest.StartWithAsync(null, ["--Security:Tokens:ops:Token=" + AdminToken, "--Security:Tokens:venue:Token=" + VenueToken,
            "--Security:Tokens:venue:Role=Ingest", .. settings]);
        _nodes.Add(node);
        return node;
    }

    private static List<Route> Routes(NodeUnderTest node) =>
        node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => new Route(m, e.RoutePattern.RawText ?? "",
                e.Metadata.GetMetadata<RequiredAccess>()?.Level)))
            .ToList();

    private static async Task<HttpResponseMessage> Send(NodeUnderTest node, Route route, string? token, string body)
    {
        var path = Parameter().Replace(route.Pattern, m => m.Value switch
        {
            "{symbol}" => "BTC-PERP",
            "{asset}" => "BTC",
            _ => "x1",
        });
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await node.Client.SendAsync(request);
    }

    // A frame of a .NET stack trace: "at Namespace.Type.Method(".
    [GeneratedRegex(@"\bat [\w`]+(\.[\w`<>]+)+\(")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();

    private sealed record Route(string Method, string Pattern, AccessLevel? Tagged)
    {
        public string Key => $"{Method} {Pattern}";

        // As the middleware decides: the tag, else read for GET/HEAD and admin for anything else.
        public AccessLevel Access => Tagged ?? (Method is "GET" or "HEAD" ? AccessLevel.Read : AccessLevel.Admin);
    }
}
