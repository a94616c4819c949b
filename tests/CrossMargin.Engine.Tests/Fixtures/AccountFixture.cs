using System.Text;
using CrossMargin.Engine.Accounts;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>An account in <see cref="TestMarket"/> with the standard and Deribit-like calculators, and short ways to send it commands.</summary>
public sealed class AccountFixture
{
    public const string Venue = "matching-engine";
    public const string Wallet = "wallet";
    public const string Accounts = "account-service";

    private long _sequence;
    private int _ids;

    public AccountFixture(int dedupeCapacity = MessageLedger.DefaultCapacity, MarketSnapshot? market = null,
        AccountMarginModels? margin = null, MarginMode mode = MarginMode.StandardCross)
    {
        State = new AccountState("acc-1", dedupeCapacity);
        Market = market ?? TestMarket.Build();
        Margin = margin ?? Models;
        Accept(new OpenAccount("open-acc-1", Accounts, 1, mode));
    }

    public static AccountMarginModels Models { get; } = new(TestParameters.StandardCalculator(), TestParameters.DeribitCalculator());

    /// <summary>The calculators this account is decided with (<see cref="Models"/> unless given).</summary>
    public AccountMarginModels Margin { get; }

    public static EventTypeRegistry Registry { get; } = AccountEvents.Register(new EventTypeRegistry());

    public AccountState State { get; }

    /// <summary>Every event applied, in order: what the journal would hold.</summary>
    public List<IAccountEvent> Journal { get; } = [];

    /// <summary>The market the account decides at; settable, as the market file's terms (a lot) can change under open positions.</summary>
    public MarketSnapshot Market { get; set; }

    /// <summary>The next message id and sequence of the one test source.</summary>
    public (string Id, string Source, long Sequence) Next() => ($"m{++_ids}", Venue, ++_sequence);

    /// <summary>Decides <paramref name="command"/> and, when accepted, applies its events as the actor will.</summary>
    public AccountDecision Send(IAccountCommand command, bool idConfirmedNew = false)
    {
        var decision = AccountDecider.Decide(State, command, Market, Margin, idConfirmedNew);
        foreach (var @event in decision.Events)
        {
            State.Apply(@event, Market.FindInstrument);
            Journal.Add(@event);
        }

        return decision;
    }

    /// <summary>Sends and asserts acceptance.</summary>
    public void Accept(IAccountCommand command)
    {
        var decision = Send(command);
        Assert.True(decision.Outcome == DecisionOutcome.Accepted, $"{command} was {decision.Outcome}: {decision.Rejection?.Message}");
    }

    public void Deposit(string asset, decimal amount)
    {
        var (id, _, seq) = Next();
        Accept(new Deposit(id, Venue, seq, asset, amount));
    }

    public void Trade(string symbol, OrderSide side, decimal quantity, decimal price, decimal fee = 0m, string? orderId = null)
    {
        var (id, _, seq) = Next();
        Accept(new ApplyExecution(id, Venue, seq, "x" + id, orderId ?? "o" + id, symbol, side, quantity, price, fee, Liquidity.Taker,
            TestMarket.ValuationTime, IsLiquidation: false));
    }

    public AccountMargin Assess() => Margin.Assess(State, Market);

    /// <summary>The state's snapshot as JSON bytes: equal text means equal state, dedupe included.</summary>
    public string SnapshotJson() => Json(State);

    public static string Json(AccountState state) => Encoding.UTF8.GetString(Registry.Serialize(state.ToSnapshot()).Bytes.Span);
}
