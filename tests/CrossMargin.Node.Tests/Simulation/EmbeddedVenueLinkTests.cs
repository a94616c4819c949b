using System.Net.Http.Json;
using CrossMargin.Contracts.Inbound;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Simulation;
using CrossMargin.Node.Tests.Api;
using Microsoft.Extensions.DependencyInjection;

namespace CrossMargin.Node.Tests.Simulation;

public sealed class EmbeddedVenueLinkTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAndDeleteDataAsync();

    /// <summary>
    /// 1,000 USDT: one BTC-PERP contract at 60,000 needs far less initial margin than that, ten thousand need far more.
    /// </summary>
    [Fact]
    public async Task The_embedded_venue_link_passes_what_the_account_can_margin_and_refuses_what_it_cannot()
    {
        (await _node.Client.PostAsJsonAsync("/api/v1/accounts", new { messageId = "open", source = "accounts", sequence = 1, accountId = "alice", mode = "standard" }))
            .EnsureSuccessStatusCode();
        (await _node.Client.PostAsJsonAsync("/api/v1/deposits", new { messageId = "d1", source = "wallet", sequence = 1, accountId = "alice", asset = "USDT", amount = 1_000m }))
            .EnsureSuccessStatusCode();
        var engine = await _node.Services.GetRequiredService<EngineHost>().Started;
        await using var venue = new EmbeddedVenueLink(engine);

        var small = await venue.CheckAsync(Order("c1", "alice", 1m), CancellationToken.None);
        var large = await venue.CheckAsync(Order("c2", "alice", 10_000m), CancellationToken.None);
        var nobody = await venue.CheckAsync(Order("c3", "nobody", 1m), CancellationToken.None);

        Assert.Null(small);
        Assert.Contains("initial margin", large, StringComparison.Ordinal);
        Assert.NotNull(nobody);
    }

    internal static PreTradeMessage Order(string id, string account, decimal quantity) => new()
    {
        MessageId = id, AccountId = account, Symbol = "BTC-PERP", Side = "buy", Quantity = quantity, Price = 60_000m,
    };
}
