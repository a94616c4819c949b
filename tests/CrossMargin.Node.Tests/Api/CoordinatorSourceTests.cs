using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Node.Api;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// The liquidation coordinator numbers its commands to an account under its own sources (<c>liquidation</c>, <c>adl</c>),
/// per account from 1, and an account refuses a sequence it has seen (<c>outOfOrder</c>). A venue message under one of
/// those sources would take a number the coordinator is about to use: its cancel-all, fee or auto-deleverage fill would
/// then be refused, and a venue could keep an account from being liquidated, or pass its own fill off as an ADL one.
/// </summary>
public sealed class CoordinatorSourceTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAndDeleteDataAsync();

    [Theory]
    [InlineData(LiquidationCoordinator.LiquidationSource)]
    [InlineData(LiquidationCoordinator.AdlSource)]
    public async Task A_venue_message_under_the_coordinators_own_source_is_refused_forbidden_and_changes_nothing(string source)
    {
        await Post("/api/v1/accounts", """{"messageId":"open-a","source":"accounts","sequence":1,"accountId":"a"}""");

        var (status, body) = await Post("/api/v1/deposits",
            $$"""{"messageId":"dep-a","source":"{{source}}","sequence":1,"accountId":"a","asset":"USDT","amount":1000}""");
        var account = await _node.Client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/a");

        var code = body.TryGetProperty("code", out var c) ? c.GetString() : body.GetProperty("outcome").GetString();
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (status, code));
        Assert.Contains($"'{source}'", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(account.GetProperty("balances").EnumerateArray());
    }

    [Fact]
    public void The_shard_queue_path_refuses_the_same_messages_as_the_http_edge()
    {
        var message = new ExecutionMessage
        {
            MessageId = "ex-1", Source = LiquidationCoordinator.AdlSource, Sequence = 1, AccountId = "a", ExecutionId = "ex-1", OrderId = "o-1",
            Symbol = "BTC-PERP", Side = "buy", Quantity = 1m, Price = 60000m, Fee = 0m, Liquidity = "taker", Timestamp = DateTimeOffset.UnixEpoch, IsLiquidation = true,
        };

        var refusal = CoordinatorSourceGuard.Refusal(message.ToAccountCommand().Command!, "execution");

        Assert.Equal("forbidden", refusal?.Code);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json)
    {
        using var response = await _node.Client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
