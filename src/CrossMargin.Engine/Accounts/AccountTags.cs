using System.Globalization;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// The journal tags an account's opening carries, so a node can find every account it must serve without waiting for a
/// message to reach each one: after a restart, or when it takes a shard over, it wakes them, and from then on every
/// mark re-margins them (an account that is not running would miss a crash until its next message).
/// </summary>
public static class AccountTags
{
    /// <summary>On every <see cref="AccountOpened"/>.</summary>
    public const string Opened = "account-opened";

    /// <summary>On the <see cref="AccountOpened"/> of an account opened in shard <paramref name="shard"/> of a cluster.</summary>
    public static string OpenedInShard(int shard) => "account-opened-shard-" + shard.ToString(CultureInfo.InvariantCulture);
}
