using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrossMargin.Node.Tests.Api;

public sealed class MessageContractTests : IAsyncLifetime
{
    private NodeUnderTest _node = null!;

    private HttpClient Http => _node.Client;

    public async Task InitializeAsync() => _node = await NodeUnderTest.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAndDeleteDataAsync();
    }

    [Fact]
    public async Task An_opened_and_funded_account_answers_with_its_margin_and_a_redelivery_is_a_duplicate()
    {
        await Open("alice");

        var deposit = await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":10000}""");
        var again = await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":10000}""");
        var account = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice");

        // 10,000 USDT at the venue's USDT index of 0.9998 USD: equity 9,998.00 USD, nothing required.
        Assert.Equal((HttpStatusCode.OK, "accepted"), (deposit.Status, deposit.Body.GetProperty("outcome").GetString()));
        Assert.Equal(9998.00m, deposit.Body.GetProperty("margin").GetProperty("equityUsd").GetDecimal());
        Assert.Equal((HttpStatusCode.OK, "duplicate"), (again.Status, again.Body.GetProperty("outcome").GetString()));
        Assert.Equal(10000m, account.GetProperty("balances")[0].GetProperty("amount").GetDecimal());
    }

    [Theory]
    [InlineData("{\"messageId\": ", "Expected depth to be zero")]
    [InlineData("""{"messageId":"e1","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"long","quantity":1,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""", "side: must be buy or sell, not 'long'.")]
    [InlineData("""{"messageId":"e1","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","quantity":-1,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""", "quantity: must be positive, not -1.")]
    [InlineData("""{"messageId":"e1","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","quantity":1,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z","leverage":100}""", "leverage")]
    public async Task A_message_that_breaks_the_contract_is_refused_with_400_and_the_field(string json, string expected)
    {
        await Open("alice");

        var (status, body) = await Post("/api/v1/executions", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("malformed", body.GetProperty("code").GetString());
        Assert.Contains(expected, body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_by_the_account_carry_their_code_and_reason()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":1000}""");

        var unknown = await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"bob","asset":"USDT","amount":1000}""");
        var older = await Post("/api/v1/deposits", """{"messageId":"d0","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":5}""");
        var instrument = await Post("/api/v1/executions", Execution("e1", 1, "NOPE-PERP", 1));
        var withdrawal = await Post("/api/v1/withdrawals", """{"messageId":"w1","source":"wallet","sequence":2,"accountId":"alice","asset":"USDT","amount":1001}""");
        var finer = await Post("/api/v1/deposits", """{"messageId":"d2","source":"wallet","sequence":3,"accountId":"alice","asset":"USDT","amount":"0.123456789"}""");

        Assert.Equal((HttpStatusCode.NotFound, "unknownAccount"), (unknown.Status, unknown.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "outOfOrder"), (older.Status, older.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unknownInstrument"), (instrument.Status, instrument.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "insufficientBalance"), (withdrawal.Status, withdrawal.Body.GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "invalidAmount"), (finer.Status, finer.Body.GetProperty("code").GetString()));
        Assert.Equal("Amount of USDT must be in whole units of 0.00000001 (at most 8 decimals), not 0.123456789.", finer.Body.GetProperty("reason").GetString());
        var account = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice");
        Assert.Equal(1000m, account.GetProperty("balances")[0].GetProperty("amount").GetDecimal());
    }

    /// <summary>
    /// BTC-PERP's contract is 0.001 BTC: a fill of 1 at 60,000 trades 60 USDT. A fee of 60.01 is no venue's; it was applied
    /// (a fee of 1,000,000 took an account of 100,000 USDT to -900,000, bankrupt, and into auto-deleveraging). Refused
    /// 422 invalidFee with the figures, counted by reason, and the account is as it was.
    /// </summary>
    [Fact]
    public async Task A_fee_larger_than_the_fills_notional_is_refused_counted_and_leaves_the_account_as_it_was()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":100000}""");

        var (status, body) = await Post("/api/v1/executions",
            """{"messageId":"e1","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","quantity":1,"price":60000,"fee":60.01,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "invalidFee"), (status, body.GetProperty("code").GetString()));
        Assert.Contains("fee 60.01 USDT is more than the 60 USDT the fill of 1 BTC-PERP at 60000 trades", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var account = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice");
        Assert.Equal(100000m, Assert.Single(account.GetProperty("balances").EnumerateArray()).GetProperty("amount").GetDecimal());
        Assert.Empty(account.GetProperty("positions").EnumerateArray());
        Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"invalidFee\",type=\"execution\"}", await Http.GetStringAsync("/metrics"),
            StringComparison.Ordinal);
    }

    /// <summary>
    /// The venue's BTC-PERP ticks 0.1 and gives no lot (so 1e-8 contract): a fill of 1e-28 contracts, or one at
    /// 60,000.0001, no matching engine makes. Both were booked (a position of 1e-28, an entry of 60,000.0001). Refused 422
    /// priceOffTick / quantityOffLot with the figures, counted by reason, the account as it was; the pre-trade check of the
    /// same order is not accepted with the same code.
    /// </summary>
    [Fact]
    public async Task A_fill_off_the_tick_or_off_the_lot_is_refused_counted_and_leaves_the_account_as_it_was()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":100000}""");

        var offTick = await Post("/api/v1/executions",
            """{"messageId":"e1","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"buy","quantity":1,"price":60000.0001,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");
        var offLot = await Post("/api/v1/executions",
            """{"messageId":"e2","source":"me","sequence":2,"accountId":"alice","executionId":"e2","orderId":"o2","symbol":"BTC-PERP","side":"buy","quantity":0.0000000000000000000000000001,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");
        var check = await Post("/api/v1/pre-trade", """{"messageId":"q1","accountId":"alice","symbol":"BTC-PERP","side":"buy","quantity":1,"price":60000.05}""");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "priceOffTick"), (offTick.Status, offTick.Body.GetProperty("code").GetString()));
        Assert.Equal("BTC-PERP: price 60000.0001 is not a whole number of its ticks of 0.1.", offTick.Body.GetProperty("reason").GetString());
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "quantityOffLot"), (offLot.Status, offLot.Body.GetProperty("code").GetString()));
        Assert.Equal("BTC-PERP: quantity 0.0000000000000000000000000001 is not a whole number of its lots of 0.00000001.", offLot.Body.GetProperty("reason").GetString());
        Assert.False(check.Body.GetProperty("accepted").GetBoolean());
        Assert.Contains("priceOffTick", check.Body.GetRawText(), StringComparison.Ordinal);
        var account = await Http.GetFromJsonAsync<JsonElement>("/api/v1/accounts/alice");
        Assert.Equal(100000m, Assert.Single(account.GetProperty("balances").EnumerateArray()).GetProperty("amount").GetDecimal());
        Assert.Empty(account.GetProperty("positions").EnumerateArray());
        var metrics = await Http.GetStringAsync("/metrics");
        Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"priceOffTick\",type=\"execution\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"quantityOffLot\",type=\"execution\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expiry_settlement_is_read_under_the_contract_and_refused_before_the_instrument_expires()
    {
        // The venue's BTC-26MAR27 expires on 2027-03-26: a node whose clock reads 2027-01-05 still lists it, whatever
        // day the test runs (on the system's clock the refusal would turn into a settlement after that date).
        var node = await NodeUnderTest.StartWithClockAsync(new ShiftedClock(new DateTimeOffset(2027, 1, 5, 12, 0, 0, TimeSpan.Zero)));
        try
        {
            await Open("alice", node.Client);

            var early = await Post("/api/v1/expiry", """{"messageId":"x1","source":"settlement","sequence":1,"accountId":"alice","symbol":"BTC-26MAR27","settlementPrice":60000}""", node.Client);
            var malformed = await Post("/api/v1/expiry", """{"messageId":"x2","source":"settlement","sequence":1,"accountId":"alice","symbol":"BTC-26MAR27","settlementPrice":0}""", node.Client);
            var missing = await Post("/api/v1/expiry", """{"messageId":"x3","source":"settlement","sequence":1,"accountId":"alice","settlementPrice":60000}""", node.Client);

            Assert.Equal((HttpStatusCode.UnprocessableEntity, "notExpired"), (early.Status, early.Body.GetProperty("code").GetString()));
            Assert.Contains("BTC-26MAR27 expires at 2027-03-26T08:00:00.0000000+00:00", early.Body.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (malformed.Status, malformed.Body.GetProperty("code").GetString()));
            Assert.Contains("settlementPrice", malformed.Body.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal((HttpStatusCode.BadRequest, "malformed"), (missing.Status, missing.Body.GetProperty("code").GetString()));
            Assert.Contains("symbol", missing.Body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await node.DisposeAndDeleteDataAsync();
        }
    }

    [Fact]
    public async Task A_withdrawal_that_would_leave_equity_below_initial_margin_is_refused_with_the_numbers()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":1000}""");
        var trade = await Post("/api/v1/executions", Execution("e1", 1, "BTC-PERP", 1000));
        var im = trade.Body.GetProperty("margin").GetProperty("initialMarginUsd").GetDecimal();

        var (status, body) = await Post("/api/v1/withdrawals", """{"messageId":"w1","source":"wallet","sequence":2,"accountId":"alice","asset":"USDT","amount":900}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("wouldBreachMargin", body.GetProperty("code").GetString());
        Assert.Contains($"below initial margin {im:N2} USD", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pre_trade_check_agrees_with_the_margin_after_the_same_trade()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":5000}""");

        var check = await Post("/api/v1/pre-trade", """{"messageId":"q1","accountId":"alice","symbol":"BTC-PERP","side":"buy","quantity":500,"price":60000}""");
        var trade = await Post("/api/v1/executions", Execution("e1", 1, "BTC-PERP", 500));

        Assert.True(check.Body.GetProperty("accepted").GetBoolean());
        Assert.Equal(check.Body.GetProperty("initialMarginUsd").GetDecimal(), trade.Body.GetProperty("margin").GetProperty("initialMarginUsd").GetDecimal());
        Assert.Equal(check.Body.GetProperty("equityUsd").GetDecimal(), trade.Body.GetProperty("margin").GetProperty("equityUsd").GetDecimal());
    }

    [Fact]
    public async Task Prices_are_answered_one_by_one_and_a_stale_mark_is_refused_with_its_age()
    {
        var now = DateTimeOffset.UtcNow;
        var json = $$"""
            {"indices":[{"asset":"BTC","price":60100,"timestamp":"{{now:O}}"}],
             "marks":[{"symbol":"BTC-PERP","price":60110,"timestamp":"{{now:O}}"},{"symbol":"ETH-PERP","price":3000,"timestamp":"{{now.AddMinutes(-5):O}}"}]}
            """;

        var (status, body) = await Post("/api/v1/prices", json);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        var stale = body.GetProperty("results")[2];
        Assert.Equal(("ETH-PERP", "stale"), (stale.GetProperty("symbol").GetString(), stale.GetProperty("code").GetString()));
        var stats = await Http.GetFromJsonAsync<JsonElement>("/api/v1/prices/stats");
        Assert.Equal(now, stats.GetProperty("indexTimes").GetProperty("BTC").GetDateTimeOffset());
    }

    [Fact]
    public async Task Metrics_count_messages_by_outcome_and_rejections_by_reason()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"nobody","asset":"USDT","amount":1}""");

        var text = await Http.GetStringAsync("/metrics");

        Assert.Contains("crossmargin_messages_total{outcome=\"accepted\",path=\"api\",type=\"accountOpened\"}", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_rejections_total{path=\"api\",reason=\"unknownAccount\",type=\"deposit\"}", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_message_latency_bucket{path=\"api\",type=\"deposit\",le=\"+Inf\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_refused_message_is_recorded_with_its_id_account_code_and_reason_and_nothing_else_is()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"ok-1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":100}""");
        await Post("/api/v1/deposits", """{"messageId":"r-1","source":"wallet","sequence":1,"accountId":"nobody","asset":"USDT","amount":1}""");
        await Post("/api/v1/withdrawals", """{"messageId":"r-2","source":"wallet","sequence":2,"accountId":"alice","asset":"USDT","amount":1000}""");
        await Post("/api/v1/executions", """{"messageId":"r-3","source":"me","sequence":1,"accountId":"alice","executionId":"e1","orderId":"o1","symbol":"BTC-PERP","side":"long","quantity":1,"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""");

        var answer = await Http.GetFromJsonAsync<JsonElement>("/api/v1/rejections");
        var recorded = answer.GetProperty("rejections").EnumerateArray()
            .Select(r => (Id: r.GetProperty("messageId").GetString(), Account: r.GetProperty("accountId").GetString(), Type: r.GetProperty("type").GetString(),
                Code: r.GetProperty("code").GetString(), Path: r.GetProperty("path").GetString(), Reason: r.GetProperty("reason").GetString()!))
            .ToArray();

        Assert.Equal(3, answer.GetProperty("recorded").GetInt64());
        Assert.Equal(["r-1", "r-2", "r-3"], recorded.Select(r => r.Id));
        Assert.Equal(("nobody", "deposit", "unknownAccount", "api"), (recorded[0].Account, recorded[0].Type, recorded[0].Code, recorded[0].Path));
        Assert.Equal(("alice", "withdrawal", "api"), (recorded[1].Account, recorded[1].Type, recorded[1].Path));
        Assert.Contains("exceeds the balance of 100 USDT", recorded[1].Reason, StringComparison.Ordinal);
        Assert.Equal(("alice", "execution", "malformed"), (recorded[2].Account, recorded[2].Type, recorded[2].Code));
        Assert.Contains("side: must be buy or sell", recorded[2].Reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/v1/rejections?entries=0")).StatusCode);
        Assert.Single((await Http.GetFromJsonAsync<JsonElement>("/api/v1/rejections?entries=1")).GetProperty("rejections").EnumerateArray());
    }

    [Fact]
    public async Task Metrics_show_the_execution_to_margin_latency_the_journal_queue_and_the_account_mailboxes()
    {
        await Open("alice");
        await Post("/api/v1/deposits", """{"messageId":"d1","source":"wallet","sequence":1,"accountId":"alice","asset":"USDT","amount":10000}""");
        var (status, body) = await Post("/api/v1/executions", Execution("e1", 1, "BTC-PERP", 1m));
        Assert.Equal((HttpStatusCode.OK, "accepted"), (status, body.GetProperty("outcome").GetString()));

        var text = await Http.GetStringAsync("/metrics");

        // Other nodes of this test run share the process's meters, so the execution is at least one of the count.
        Assert.Contains("# TYPE crossmargin_execution_margin_latency histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("crossmargin_execution_margin_latency_bucket{le=\"+Inf\"} ", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "crossmargin_execution_margin_latency_count") >= 1, text);
        Assert.Contains("# TYPE crossmargin_journal_pending_appends gauge\n", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "crossmargin_journal_pending_appends{writer=\"journal\"}") >= 0, text);
        Assert.Contains("# TYPE crossmargin_journal_inflight_appends gauge\n", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "crossmargin_journal_inflight_appends{writer=\"journal\"}") >= 0, text);
        Assert.Contains("# TYPE crossmargin_accounts_mailbox_backlog gauge\n", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "crossmargin_accounts_mailbox_backlog") >= 0, text);
    }

    /// <summary>The value of the sample line <paramref name="series"/> (name and labels) in Prometheus text; fails when absent.</summary>
    private static double Sample(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"No sample {series} in:\n{text}");
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Execution(string id, long sequence, string symbol, decimal quantity) =>
        $$"""{"messageId":"{{id}}","source":"me","sequence":{{sequence}},"accountId":"alice","executionId":"{{id}}","orderId":"o-{{id}}","symbol":"{{symbol}}","side":"buy","quantity":{{quantity}},"price":60000,"fee":0,"liquidity":"taker","timestamp":"2026-11-21T08:00:00Z"}""";

    private async Task Open(string account, HttpClient? via = null)
    {
        var (status, _) = await Post("/api/v1/accounts", $$"""{"messageId":"open-{{account}}","source":"accounts","sequence":1,"accountId":"{{account}}"}""", via);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string json, HttpClient? via = null)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await (via ?? Http).PostAsync(new Uri(path, UriKind.Relative), content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
