using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Node.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// The operator's halt switch for an instrument the market no longer lists. The node runs on the venue's market with one
/// more future, BTC-22NOV26 (expiring 2026-11-22 08:00): first on 2026-11-21, when it trades and is halted, then
/// restarted over the same journal on 2026-11-23, when it has expired.
/// </summary>
public sealed class LiquidationHaltOfUnlistedInstrumentTests : IAsyncLifetime
{
    private const string AdminToken = "admin-secret-0123456789";
    private const string Expired = ExpiredFutureMarket.Symbol;
    private ExpiredFutureMarket _market = null!;

    public async Task InitializeAsync() => _market = await ExpiredFutureMarket.WriteAsync();

    public Task DisposeAsync()
    {
        _market.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A halt made while the future traded outlives its expiry (it still pauses the liquidation of every account holding
    /// it, until the venue's settlement), and the resume that lifts it was refused <c>404 Unknown instrument</c> once it
    /// expired: nothing could lift it. Now the resume of an expired instrument goes through (the halt list is empty
    /// after it); a halt of it is 404 saying it expired and when; an instrument neither listed nor expired is 404 saying
    /// so (misspelt or delisted) and how a liquidation's hold of a delisted one is released.
    /// </summary>
    [Fact]
    public async Task A_halt_of_a_future_that_expired_since_is_resumed_and_an_unlisted_instrument_is_answered_with_why_and_what_to_do()
    {
        string data;
        var before = await NodeUnderTest.StartWithClockAsync(new ShiftedClock(At("2026-11-21T12:00:00Z")), Settings);
        await using (before)
        {
            data = before.DataDirectory;
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(before, HttpMethod.Put, $"/api/v1/liquidation-halts/{Expired}")).Status);
        }

        var after = await NodeUnderTest.StartWithClockAsync(data, new ShiftedClock(At("2026-11-23T12:00:00Z")), Settings);
        try
        {
            var halted = await after.Client.GetFromJsonAsync<JsonElement>("/api/v1/liquidation-halts");
            var (halt, haltBody) = await SendAsync(after, HttpMethod.Put, $"/api/v1/liquidation-halts/{Expired}");
            var (resume, resumeBody) = await SendAsync(after, HttpMethod.Delete, $"/api/v1/liquidation-halts/{Expired}");
            var (unknown, unknownBody) = await SendAsync(after, HttpMethod.Delete, "/api/v1/liquidation-halts/NOPE-PERP");

            Assert.Equal([Expired], halted.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(HttpStatusCode.OK, resume);
            Assert.Equal(0, resumeBody.GetProperty("symbols").GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, halt);
            Assert.Equal($"{Expired} expired at 2026-11-22T08:00:00.0000000+00:00: it no longer trades, so there is nothing to halt; its holders await the venue's settlement.",
                haltBody.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.NotFound, unknown);
            var detail = unknownBody.GetProperty("detail").GetString();
            Assert.StartsWith("Instrument NOPE-PERP is neither listed nor expired on this node's market: misspelt, or delisted.", detail, StringComparison.Ordinal);
            Assert.Contains("DELETE /api/v1/liquidation-halts/NOPE-PERP?liquidation=ID", detail, StringComparison.Ordinal);
            // Refused before the coordinator is asked, and audited as such (before, with no detail at all).
            var audited = await AuditedAsync(after, "/api/v1/liquidation-halts/NOPE-PERP");
            Assert.Equal((404, "failed"), (audited.Status, audited.Outcome));
            Assert.Equal("resume of forced liquidation on NOPE-PERP: refused (404 Unknown instrument): " + detail, audited.Detail);
        }
        finally
        {
            await after.DisposeAndDeleteDataAsync();
        }
    }

    /// <summary>The audit entry of the call to <paramref name="path"/>, once written (after the answer went out).</summary>
    private static async Task<AuditEntry> AuditedAsync(NodeUnderTest node, string path)
    {
        var audit = node.Services.GetRequiredService<AuditLog>();
        for (var i = 0; i < 100; i++)
        {
            if (audit.Recent().FirstOrDefault(e => e.Path == path) is { } entry)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"No audit entry for {path}.");
    }

    private string[] Settings => ["--Security:Tokens:ops:Token=" + AdminToken, "--Node:MarketFile=" + _market.Path];

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(NodeUnderTest node, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await node.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
