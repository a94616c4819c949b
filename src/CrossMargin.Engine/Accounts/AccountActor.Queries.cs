using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Engine.Accounts;

/// <summary>Queries answered from memory: pre-trade checks, the account's view, margin explanations, and passivating an account never opened.</summary>
public sealed partial class AccountActor
{
    /// <summary>
    /// A message for an account that was never opened (a mistyped id, a probe) must not leave an actor behind: ask the
    /// shard to stop this one. Outside a region (tests, tools) the parent is the user guardian and there is nothing to ask.
    /// </summary>
    private void PassivateIfNotOpen()
    {
        if (!_state.IsOpen && Context.Parent.Path.Depth > 1)
        {
            Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
        }
    }

    private PreTradeResult PreTrade(CheckPreTrade check)
    {
        try
        {
            return AccountDecider.CheckPreTrade(_state, check, _settings.Market.Current, _settings.Models);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Context.Log.LogWarning(e, "Account {AccountId}: pre-trade check {MessageId} could not be margined", _state.AccountId, check.MessageId);
            var rejection = new Rejection(RejectionCode.AssessmentFailed, $"Account {_state.AccountId} could not be margined at the current market: {e.Message}");
            var figures = Figures;
            return new PreTradeResult(false, rejection, figures?.EquityUsd ?? 0m, figures?.InitialMarginUsd ?? 0m, figures?.AvailableUsd ?? 0m,
                figures?.InitialMarginUsd ?? 0m);
        }
    }

    private AccountView View()
    {
        var snapshot = _state.ToSnapshot();
        return new AccountView(_state.AccountId, _state.Mode, snapshot.Balances, snapshot.Positions, snapshot.OpenOrders, Figures?.ToSummary(),
            snapshot.Messages.Sources);
    }

    private void Explain()
    {
        try
        {
            Sender.Tell(_settings.Models.Assess(_state, _settings.Market.Current), Self);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            Sender.Tell(new Status.Failure(e), Self);
        }
    }
}
