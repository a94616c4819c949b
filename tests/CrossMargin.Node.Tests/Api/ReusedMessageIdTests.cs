using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

/// <summary>
/// A venue that sends a new message under an id it already used is told so (409 <c>idReused</c>) and nothing is
/// applied; the same message sent again, however it is written, stays a <c>duplicate</c>; both before and after a
/// restart of the node.
/// </summary>
public sealed class ReusedMessageIdTests
{
    [Fact]
    public async Task An_execution_id_reused_with_another_quantity_is_refused_409_and_a_true_retry_is_a_duplicate_before_and_after_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("cm-node-reused-").FullName;
        try
        {
            await using (var first = await NodeUnderTest.StartAsync(data))
            {
                await Post(first, "/api/v1/accounts", """{"messageId":"open","source":"accounts","sequence":1,"accountId":"dana"}""");
                await Post(first, "/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"dana","asset":"USDT","amount":100000}""");
                var applied = await Post(first, "/api/v1/executions", Execution("\"quantity\":1.50"));
                Assert.Equal((HttpStatusCode.OK, "accepted"), (applied.Status, applied.Body.GetProperty("outcome").GetString()));

                await AssertReusedAndRetriedAsync(first);
                var text = await first.Client.GetStringAsync("/metrics");
                Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"idReused\",type=\"execution\"}", text, StringComparison.Ordinal);
            }

            await using var second = await NodeUnderTest.StartAsync(data);
            await AssertReusedAndRetriedAsync(second);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task AssertReusedAndRetriedAsync(NodeUnderTest node)
    {
        var reused = await Post(node, "/api/v1/executions", Execution("\"quantity\":2"));
        // The same execution written otherwise: fields in another order, the quantity with another scale.
        var retried = await Post(node, "/api/v1/executions",
            """{ "accountId":"dana", "quantity":"1.5", "messageId":"e1","source":"venue","sequence":1,"executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","price":60000.0,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T09:00:00+01:00"}""");
        var account = await node.Client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/dana");

        Assert.Equal((HttpStatusCode.Conflict, "rejected", "idReused"),
            (reused.Status, reused.Body.GetProperty("outcome").GetString(), reused.Body.GetProperty("code").GetString()));
        Assert.Contains("e1", reused.Body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "duplicate"), (retried.Status, retried.Body.GetProperty("outcome").GetString()));
        Assert.Equal(1.5m, account.GetProperty("positions")[0].GetProperty("quantity").GetDecimal());
        Assert.Equal(100000m, account.GetProperty("balances")[0].GetProperty("amount").GetDecimal());
    }

    private static string Execution(string quantity) =>
        $$"""{"messageId":"e1","source":"venue","sequence":1,"accountId":"dana","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy",{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""";

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(NodeUnderTest node, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await node.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
