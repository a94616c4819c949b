using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The re-margin pass of one <see cref="MarginBookPartition"/>: on each <see cref="MarketChanged"/>, one loop over the
/// partition's accounts computes, with <see cref="StandardCrossKernel"/>, the figures of every account holding what
/// moved, and tells <see cref="Remargined"/> only to those whose figures or limits differ from what they hold (and to
/// every account in liquidation or bankrupt, which reports its breach on every re-margin). An account the kernel cannot
/// margin at this market is sent the <see cref="MarketChanged"/> itself, to re-margin (and report why) on its own.
/// </summary>
internal sealed class MarginPass : ReceiveActor
{
    // Per market change and kernel: the snapshot's tables and what moved, worked out once for all partitions.
    private static readonly ConditionalWeakTable<MarketChanged, ConcurrentDictionary<StandardCrossKernel, (StandardKernelMarket Market, MovedSet Moved)>> Moves = [];

    private readonly MarginBookPartition _partition;

    public MarginPass(MarginBookPartition partition)
    {
        _partition = partition;
        Receive<MarketChanged>(Run);
    }

    public static Props Props(MarginBookPartition partition) => Actors.Props.Create(() => new MarginPass(partition));

    private void Run(MarketChanged changed)
    {
        var slots = _partition.Slots;
        var settlement = SettlementPrices.For(changed.Market);
        var moves = Moves.GetValue(changed, static _ => new());
        StandardCrossKernel? kernel = null;
        StandardKernelMarket? market = null;
        MovedSet? moved = null;
        for (var i = 0; i < slots.Count; i++)
        {
            var slot = slots.Items[i];
            if (slot.Entry is not { } entry)
            {
                continue;
            }

            if (!ReferenceEquals(entry.Kernel, kernel))
            {
                kernel = entry.Kernel;
                (market, moved) = moves.GetOrAdd(kernel, static (k, c) =>
                {
                    var tables = k.At(c.Market);
                    return (tables, tables.Moved(c.Underlyings));
                }, changed);
            }

            if (!StandardCrossKernel.Concerns(entry.Holdings, moved!))
            {
                continue;
            }

            if (!StandardCrossKernel.TryCompute(entry.Holdings, market!, out var figures))
            {
                slot.Account.Tell(changed, ActorRefs.NoSender);
                continue;
            }

            Offer(slot, entry, figures, changed, settlement);
        }
    }

    private static void Offer(MarginBookSlot slot, MarginBookEntry entry, KernelFigures figures, MarketChanged changed, SettlementPrices settlement)
    {
        var sentForThis = ReferenceEquals(slot.SentFor, entry);
        var held = sentForThis ? slot.Sent : entry.Margin;
        var heldLimits = sentForThis ? slot.SentLimits : entry.Limits;
        var available = figures.EquityUsd - figures.InitialMarginUsd;
        var breached = figures.Status is MarginStatus.Liquidation or MarginStatus.Bankrupt;
        decimal[]? amounts = null;
        // The amounts (a division per asset) only matter when the figures are the same: a settlement asset's price may
        // still have moved them.
        if (!breached && held is not null && held.EquityUsd == figures.EquityUsd && held.InitialMarginUsd == figures.InitialMarginUsd
            && held.MaintenanceMarginUsd == figures.MaintenanceMarginUsd && SameAmounts(heldLimits, available, settlement.Assets, amounts = settlement.AmountsOf(available)))
        {
            return;
        }

        amounts ??= settlement.AmountsOf(available);

        var margin = new MarginSummary(figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, available, figures.Status,
            figures.EquityUsd > 0 ? figures.MaintenanceMarginUsd / figures.EquityUsd : null, changed.Market.ValuationTime);
        var limits = new AccountLimitsChanged(entry.AccountId, available, new AssetAmounts(settlement.Assets, amounts));
        slot.SentFor = entry;
        slot.Sent = margin;
        slot.SentLimits = limits;
        slot.Account.Tell(new Remargined(entry, margin, limits), ActorRefs.NoSender);
    }

    private static bool SameAmounts(AccountLimitsChanged? held, decimal available, string[] assets, decimal[] amounts)
    {
        if (held is null || held.AvailableUsd != available || held.AvailableBySettlementAsset.Count != assets.Length)
        {
            return false;
        }

        for (var i = 0; i < assets.Length; i++)
        {
            if (!held.AvailableBySettlementAsset.TryGetValue(assets[i], out var amount) || amount != amounts[i])
            {
                return false;
            }
        }

        return true;
    }
}
