using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>The venue's liquidation report over HTTP is held to the message contract like every other inbound message.</summary>
public sealed class LiquidationReportEndpointTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAndDeleteDataAsync();

    [Theory]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQty":2,"averagePrice":100}""", "filledQty")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","averagePrice":100}""", "filledQuantity: is required")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":0,"filledQuantity":2,"averagePrice":100}""", "uplicate")]
    [InlineData("""{"orderId":"liq-a-1-s1-1","filledQuantity":2,"averagePrice":100""", "line 1")]
    [InlineData("""[]""", "")]
    [InlineData("", "empty")]
    public async Task A_report_that_breaks_the_contract_is_refused_malformed_with_the_reason(string json, string expected)
    {
        var (status, body) = await PostAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("malformed", body.GetProperty("code").GetString());
        Assert.Contains(expected, body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_with_an_order_id_longer_than_any_id_is_refused()
    {
        var (status, body) = await PostAsync($$"""{"orderId":"{{new string('x', 129)}}","filledQuantity":0}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("orderId", body.GetProperty("violations")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_sound_report_is_accepted_for_the_coordinator()
    {
        var (status, body) = await PostAsync("""{"orderId":"liq-a-1-s1-1","filledQuantity":0}""");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(("accepted", "liq-a-1-s1-1"), (body.GetProperty("outcome").GetString(), body.GetProperty("messageId").GetString()));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _node.Client.PostAsync(new Uri("/api/v1/liquidation-reports", UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
