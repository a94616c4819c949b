using System.Net;
using System.Net.Http.Headers;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;
using CrossMargin.Node.Tests.Api;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Tests.Security;

/// <summary>How the node takes, refuses and keeps quiet about bearer tokens, and which settings it refuses to start with.</summary>
public sealed class TokenHandlingTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private readonly List<NodeUnderTest> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("token")]
    [InlineData("halt")]
    public async Task A_token_sent_in_the_query_string_is_refused_and_kept_out_of_the_audit_and_the_log(string parameter)
    {
        var node = await Start();

        using var response = await node.Client.PutAsync(new Uri($"/api/v1/liquidation-halts/BTC-PERP?{parameter}={AdminToken}", UriKind.Relative), null);
        var audit = await node.Client.GetStringAsync(new Uri("/api/v1/audit", UriKind.Relative));
        var log = await node.Client.GetStringAsync(new Uri("/api/v1/logs?lines=2000", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("liquidation-halts/BTC-PERP", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminToken, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminToken, log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_bearer_scheme_is_taken_in_any_case(string scheme)
    {
        var node = await Start();

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/v1/liquidation-halts/BTC-PERP", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, AdminToken);
        using var response = await node.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Basic b3BzOmFkbWluLXNlY3JldC0wMTIzNDU2Nzg5")]
    [InlineData(AdminToken)]
    public async Task An_empty_bearer_or_another_scheme_makes_no_admin_call(string authorization)
    {
        var node = await Start();

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/api/v1/liquidation-halts/BTC-PERP", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await node.Client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{authorization}: {response.StatusCode}");
    }

    [Fact]
    public void A_token_is_found_whatever_its_length_and_a_prefix_or_an_extension_of_it_is_not()
    {
        var tokens = new TokenAuthenticator(Options.Create(new SecurityOptions
        {
            Tokens = { ["ops"] = new ApiToken { Token = AdminToken }, ["venue"] = new ApiToken { Token = "venue-secret-0123456789-longer", Role = ApiRole.Ingest } },
        }));

        Assert.Equal(("ops", ApiRole.Admin), tokens.Find(AdminToken));
        Assert.Equal(("venue", ApiRole.Ingest), tokens.Find("venue-secret-0123456789-longer"));
        Assert.Null(tokens.Find(AdminToken[..^1]));
        Assert.Null(tokens.Find(AdminToken + "0"));
        Assert.Null(tokens.Find(""));
    }

    [Fact]
    public void A_blank_admin_token_off_loopback_fails_start_up_as_an_empty_one()
    {
        var options = new SecurityOptions { RequireTokenForIngest = true, Tokens = { ["ops"] = new ApiToken { Token = new string(' ', 20) } } };

        var result = Validate(options, "http://0.0.0.0:5080");

        Assert.True(result.Failed, "A node listening on 0.0.0.0 started with a token of 20 spaces as its admin token.");
        Assert.Contains("Security:Tokens:ops:Token is empty", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AdminToken + "\n")]
    [InlineData(" " + AdminToken)]
    public void A_token_with_surrounding_whitespace_fails_start_up_as_no_bearer_header_can_carry_it(string token)
    {
        var options = new SecurityOptions { Tokens = { ["ops"] = new ApiToken { Token = token } } };

        var result = Validate(options, "http://127.0.0.1:5080");

        Assert.True(result.Failed, "A token no request can present (the header's value is trimmed) was taken at start.");
        Assert.Contains("Security:Tokens:ops:Token starts or ends with whitespace", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kestrel_endpoint_off_loopback_is_held_to_the_same_rules_as_Node_HttpUrl()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            NodeUnderTest.StartWithAsync(null, "--Kestrel:Endpoints:Http:Url=http://0.0.0.0:5999"));

        Assert.Contains("Kestrel:Endpoints:Http:Url http://0.0.0.0:5999 is not a loopback address", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Security:RequireTokenForIngest must be true", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://*:5999")]
    [InlineData("http://+:5999")]
    public async Task A_kestrel_wildcard_endpoint_counts_as_off_loopback(string url)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            NodeUnderTest.StartWithAsync(null, "--Kestrel:Endpoints:Any:Url=" + url));

        Assert.Contains($"Kestrel:Endpoints:Any:Url {url} is not a loopback address", failure.Message, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(SecurityOptions options, string url) =>
        new SecurityOptionsValidator(Options.Create(new NodeOptions { HttpUrl = url })).Validate(null, options);

    private async Task<NodeUnderTest> Start()
    {
        var node = await NodeUnderTest.StartWithAsync(null, "--Security:Tokens:ops:Token=" + AdminToken);
        _nodes.Add(node);
        return node;
    }
}
