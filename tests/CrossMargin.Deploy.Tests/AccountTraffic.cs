using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CrossMargin.Deploy.Tests;

/// <summary>
/// What the venue would send over HTTP: account opens and deposits, each with its message id and per-account sequence,
/// posted to one node and, when that node fails or times out, posted again to another with the same id and sequence (the
/// cluster must treat the second as a duplicate if the first got through).
/// </summary>
public sealed class AccountTraffic(LocalCluster cluster)
{
    /// <summary>Posts that were sent again after a failure (connection refused, timeout, 5xx).</summary>
    public int Retries => _retries;

    private int _retries;

    /// <summary>The deposit body the tests send.</summary>
    public static object Deposit(string account, int sequence, decimal amount) =>
        new { messageId = $"dep-{account}-{sequence.ToString(CultureInfo.InvariantCulture)}", source = "wallet", sequence, accountId = account, asset = "USDT", amount };

    /// <summary>Opens <paramref name="account"/> (standard margin) through node <paramref name="node"/>.</summary>
    public Task OpenAsync(string account, int node = 1) =>
        PostUntilAcceptedAsync("/api/v1/accounts", new { messageId = $"open-{account}", source = "accounts", sequence = 1, accountId = account, mode = "standard" },
            node, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Posts until a node answers 200 (accepted or duplicate), starting at node <paramref name="firstNode"/> and moving to
    /// the next node after each failure. A 4xx answer fails the test at once: the message itself was refused.
    /// </summary>
    public async Task PostUntilAcceptedAsync(string path, object body, int firstNode, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var node = firstNode;
        var failures = new List<string>();
        while (true)
        {
            var (ok, detail) = await TryPostAsync(node, path, body);
            if (ok)
            {
                return;
            }

            failures.Add($"{LocalCluster.NodeId(node)}: {detail}");
            Interlocked.Increment(ref _retries);

            Assert.True(DateTime.UtcNow < deadline, $"{path} {JsonSerializer.Serialize(body)} not accepted within {within}: {string.Join("; ", failures)}");
            node = node % LocalCluster.NodeCount + 1;
            await Task.Delay(100);
        }
    }

    /// <summary>One attempt: true when the node answered 200 with outcome accepted or duplicate.</summary>
    public async Task<(bool Accepted, string Detail)> TryPostAsync(int node, string path, object body)
    {
        HttpResponseMessage response;
        try
        {
            response = await cluster.Clients[node - 1].PostAsJsonAsync(path, body);
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
        catch (TaskCanceledException e)
        {
            return (false, "timed out: " + e.Message);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var outcome = JsonDocument.Parse(text).RootElement.GetProperty("outcome").GetString();
                Assert.True(outcome is "accepted" or "duplicate", $"{path} answered 200 with outcome {outcome}: {text}");
                return (true, outcome!);
            }

            var status = (int)response.StatusCode;
            Assert.False(status is >= 400 and < 500 and not 408 and not 429, $"{path} {JsonSerializer.Serialize(body)} refused by {LocalCluster.NodeId(node)} with {status}: {text}");
            return (false, $"{status} {text}");
        }
    }

    /// <summary>The account's USDT balance as node <paramref name="node"/> reports it (null when it cannot answer now).</summary>
    public async Task<decimal?> UsdtAsync(int node, string account)
    {
        try
        {
            using var response = await cluster.Clients[node - 1].GetAsync($"/api/v1/accounts/{account}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("balances").EnumerateArray()
                .Where(b => b.GetProperty("asset").GetString() == "USDT").Select(b => b.GetProperty("amount").GetDecimal()).SingleOrDefault();
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until node <paramref name="node"/> reports every balance of <paramref name="ledger"/>; fails with the differences.</summary>
    public async Task BalancesEqualAsync(int node, IReadOnlyDictionary<string, decimal> ledger, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var wrong = new List<string>();
            foreach (var (account, expected) in ledger)
            {
                var actual = await UsdtAsync(node, account);
                if (actual != expected)
                {
                    wrong.Add($"{account}: {actual?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} != {expected.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            if (wrong.Count == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"balances on {LocalCluster.NodeId(node)} differ from the ledger after {within}: {string.Join("; ", wrong)}");
            await Task.Delay(500);
        }
    }
}
