using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Api;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Security;
using CrossMargin.Node.Tests.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrossMargin.Node.Tests.Security;

public sealed class AdminSecurityTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private const string VenueToken = "venue-secret-0123456789";
    private readonly List<NodeUnderTest> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(node.DataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task An_admin_call_without_a_token_is_refused_with_401_and_a_problem()
    {
        var node = await Start();

        using var response = await node.Client.PutAsync(new Uri("/api/v1/liquidation-halts/BTC-PERP", UriKind.Relative), null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await Halted(node)).EnumerateArray());
    }

    [Fact]
    public async Task An_admin_call_with_a_wrong_token_is_refused_with_403()
    {
        var node = await Start();

        using var response = await Send(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", "not-the-token-at-all");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty((await Halted(node)).EnumerateArray());
    }

    [Fact]
    public async Task An_ingest_token_cannot_make_admin_calls()
    {
        var node = await Start();

        using var response = await Send(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", VenueToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'venue' has role ingest", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_call_with_the_token_is_done_and_audited_with_who_did_it()
    {
        var node = await Start();

        using var response = await Send(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", AdminToken);
        var audit = await node.Client.GetFromJsonAsync<JsonElement>("/api/v1/audit");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["BTC-PERP"], (await Halted(node)).EnumerateArray().Select(s => s.GetString()));
        var entry = audit.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("ops", "PUT", 200, "done"), (entry.GetProperty("who").GetString(), entry.GetProperty("method").GetString(),
            entry.GetProperty("status").GetInt32(), entry.GetProperty("outcome").GetString()));
        Assert.Contains("halted on BTC-PERP", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_calls_are_audited_too()
    {
        var node = await Start();

        using var _ = await Send(node, HttpMethod.Put, "/api/v1/liquidation-halts/BTC-PERP", "not-the-token-at-all");
        var audit = await node.Client.GetFromJsonAsync<JsonElement>("/api/v1/audit");

        var entry = audit.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("anonymous", 403, "refused"), (entry.GetProperty("who").GetString(), entry.GetProperty("status").GetInt32(), entry.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Reads_are_anonymous_by_default()
    {
        var node = await Start();

        using var response = await node.Client.GetAsync(new Uri("/api/v1/liquidations", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Reads_need_a_token_when_anonymous_reads_are_off_but_probes_stay_open()
    {
        var node = await Start("--Security:AllowAnonymousReads=false");

        using var anonymous = await node.Client.GetAsync(new Uri("/api/v1/liquidations", UriKind.Relative));
        using var withToken = await Send(node, HttpMethod.Get, "/api/v1/liquidations", VenueToken);
        using var health = await node.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Messages_need_an_ingest_token_when_configured()
    {
        var node = await Start("--Security:RequireTokenForIngest=true");
        const string open = """{"messageId":"open-a","source":"accounts","sequence":1,"accountId":"a"}""";

        using var anonymous = await Send(node, HttpMethod.Post, "/api/v1/accounts", null, open);
        using var venue = await Send(node, HttpMethod.Post, "/api/v1/accounts", VenueToken, open);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, venue.StatusCode);
    }

    [Fact]
    public async Task Messages_are_open_on_loopback_by_default()
    {
        var node = await Start();

        using var response = await Send(node, HttpMethod.Post, "/api/v1/accounts", null, """{"messageId":"open-a","source":"accounts","sequence":1,"accountId":"a"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_any_configured_token_admin_calls_are_refused_and_say_why()
    {
        var node = await NodeUnderTest.StartAsync();
        _nodes.Add(node);

        using var response = await node.Client.PutAsync(new Uri("/api/v1/liquidation-halts/BTC-PERP", UriKind.Relative), null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("none is configured", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_inside_an_endpoint_is_a_500_problem_without_a_stack_trace()
    {
        var node = await NodeUnderTest.StartWithAsync(app => app.MapGet("/test/throw", string () =>
            throw new InvalidOperationException("secret internals at CrossMargin.Node.Somewhere")));
        _nodes.Add(node);

        using var response = await node.Client.GetAsync(new Uri("/test/throw", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("secret internals", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// An admin change whose caller leaves before the coordinator answers (the CLI killed, a client's timeout shorter than
    /// <c>Actors:AskTimeout</c>) is still audited: the change was sent to the coordinator when it was asked (here a
    /// confirmed rebooking of an unverified fill, which a real coordinator journals and sends), so who asked it must be
    /// recorded. The endpoint is the rebooking endpoint's own answer (<c>LiquidationAnswers.RebookAsync</c>, which lets a
    /// cancellation escape) before a coordinator that does not answer; the client leaves after 300 ms. Before (08189c2)
    /// the cancellation escaped the security middleware before it wrote the entry: no audit entry at all.
    /// </summary>
    [Fact]
    public async Task An_admin_change_whose_caller_leaves_before_the_answer_is_still_audited()
    {
        await using var system = ActorSystem.Create("caller-left");
        var silent = system.ActorOf(Props.Create(() => new FixedAnswerActor(null)));
        const string path = "/test/rebookings";
        var node = await NodeUnderTest.StartWithAsync(
            app => app.MapPost(path, async (HttpContext context) =>
            {
                var (status, body) = await LiquidationAnswers.RebookAsync(silent, new RebookAdlReversal("liq-acc-1-1", 1, "acc-c", ConfirmUnverified: true),
                    TimeSpan.FromSeconds(10), context.RequestAborted);
                var result = Results.Json(body, statusCode: status);
                AuditLog.Describe(context, AuditOutcome.Of(result, "rebooked", "rebooking of acc-c's side"));
                return result;
            }),
            "--Security:Tokens:ops:Token=" + AdminToken);
        _nodes.Add(node);

        using (var leaving = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => node.Client.SendAsync(request, leaving.Token));
        }

        var audit = node.Services.GetRequiredService<AuditLog>();
        AuditEntry? entry = null;
        for (var i = 0; i < 60 && entry is null; i++)
        {
            entry = audit.Recent().FirstOrDefault(e => e.Path == path);
            await Task.Delay(50);
        }

        Assert.True(entry is not null, $"No audit entry for the admin change at {path} whose caller left before the coordinator answered.");
        Assert.Equal(("ops", "POST", SecurityMiddleware.ClientClosedRequest, "failed", "the caller left before the answer: outcome unknown, the change may still be made"),
            (entry.Who, entry.Method, entry.Status, entry.Outcome, entry.Detail));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_413()
    {
        var node = await Start();
        var huge = new string('x', (int)SecurityMiddleware.MaxRequestBodyBytes + 1);

        using var response = await Send(node, HttpMethod.Post, "/api/v1/risk/params?dryRun=true", AdminToken, huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_non_loopback_bind_with_an_empty_token_fails_start_up_naming_the_setting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            NodeUnderTest.StartWithAsync(null, "--Node:HttpUrl=http://0.0.0.0:5999", "--Security:RequireTokenForIngest=true"));

        Assert.Contains("Security:Tokens:ops:Token is empty", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not a loopback address", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://10.1.2.3:5080", false)]
    public void Loopback_is_told_from_network_binds(string url, bool loopback) => Assert.Equal(loopback, SecurityOptionsValidator.IsLoopback(url));

    [Fact]
    public void The_admin_api_binds_to_loopback_unless_configured_otherwise()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(ConfigurationDirectory.Resolve([]), "node.json")));

        var configured = file.RootElement.GetProperty("Node").GetProperty("HttpUrl").GetString()!;

        Assert.True(SecurityOptionsValidator.IsLoopback(new NodeOptions().HttpUrl), new NodeOptions().HttpUrl);
        Assert.True(SecurityOptionsValidator.IsLoopback(configured), $"config/node.json binds {configured}");
    }

    [Fact]
    public void A_short_token_is_refused_even_on_loopback()
    {
        var options = new SecurityOptions { Tokens = { ["ops"] = new ApiToken { Token = "short" } } };

        var result = new SecurityOptionsValidator(Options.Create(new NodeOptions())).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("at least 16 characters", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_check_tells_the_dashboard_whether_reads_need_a_token_without_refusing_the_question()
    {
        var node = await Start("--Security:AllowAnonymousReads=false");

        using var anonymous = await Send(node, HttpMethod.Get, "/api/v1/access", null);
        using var withToken = await Send(node, HttpMethod.Get, "/api/v1/access", VenueToken);
        using var wrong = await Send(node, HttpMethod.Get, "/api/v1/access", "not-the-token-at-all");
        using var refusedRead = await Send(node, HttpMethod.Get, "/api/v1/accounts", null);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var open = await anonymous.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((false, false, "anonymous"), (open.GetProperty("anonymousReads").GetBoolean(), open.GetProperty("canRead").GetBoolean(),
            open.GetProperty("caller").GetString()));
        var known = await withToken.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((true, "venue", "ingest"), (known.GetProperty("canRead").GetBoolean(), known.GetProperty("caller").GetString(), known.GetProperty("role").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedRead.StatusCode);
    }

    private async Task<NodeUnderTest> Start(params string[] settings)
    {
        var node = await NodeUnderTest.StartWithAsync(null, ["--Security:Tokens:ops:Token=" + AdminToken, "--Security:Tokens:venue:Token=" + VenueToken,
            "--Security:Tokens:venue:Role=Ingest", .. settings]);
        _nodes.Add(node);
        return node;
    }

    private static async Task<JsonElement> Halted(NodeUnderTest node) =>
        (await node.Client.GetFromJsonAsync<JsonElement>("/api/v1/liquidation-halts")).GetProperty("symbols");

    private static async Task<HttpResponseMessage> Send(NodeUnderTest node, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await node.Client.SendAsync(request);
    }
}
