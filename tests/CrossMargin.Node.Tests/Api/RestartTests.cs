using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

public sealed class RestartTests
{
    [Fact]
    public async Task A_restarted_node_recovers_every_account_from_its_journal_and_still_knows_what_it_applied()
    {
        var data = Directory.CreateTempSubdirectory("cm-node-restart-").FullName;
        try
        {
            await using (var first = await NodeUnderTest.StartAsync(data))
            {
                await Post(first, "/api/v1/accounts", """{"messageId":"open","source":"accounts","sequence":1,"accountId":"carol"}""");
                await Post(first, "/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"carol","asset":"USDT","amount":2500}""");
            }

            await using var second = await NodeUnderTest.StartAsync(data);
            var account = await second.Client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/carol");
            var redelivered = await Post(second, "/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"carol","asset":"USDT","amount":2500}""");

            Assert.Equal(2500m, account.GetProperty("balances")[0].GetProperty("amount").GetDecimal());
            Assert.Equal("duplicate", redelivered.GetProperty("outcome").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_restarted_node_runs_every_account_again_before_any_message_reaches_it()
    {
        var data = Directory.CreateTempSubdirectory("cm-node-wake-").FullName;
        try
        {
            await using (var first = await NodeUnderTest.StartAsync(data))
            {
                foreach (var id in new[] { "ann", "bob", "cid" })
                {
                    await Post(first, "/api/v1/accounts", $$"""{"messageId":"open-{{id}}","source":"accounts","sequence":1,"accountId":"{{id}}"}""");
                }
            }

            // No message to any of them: a mark move right after the restart must still re-margin all three.
            await using var second = await NodeUnderTest.StartAsync(data);
            var region = await second.Client.GetFromJsonAsync<JsonElement>("/api/v1/sharding/regions/account");
            Assert.Equal(3, region.GetProperty("totalEntities").GetInt32());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<JsonElement> Post(NodeUnderTest node, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await node.Client.PostAsync(new Uri(path, UriKind.Relative), content);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
