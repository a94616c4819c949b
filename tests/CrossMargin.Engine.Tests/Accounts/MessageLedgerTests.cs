using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class MessageLedgerTests
{
    [Fact]
    public void A_message_whose_id_was_seen_is_a_duplicate_and_a_renumbered_one_waits_for_the_journal_and_both_change_nothing()
    {
        var account = new AccountFixture();
        var deposit = new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m);
        account.Accept(deposit);
        var before = account.SnapshotJson();

        var again = account.Send(deposit);
        var sameIdOtherSequence = account.Send(deposit with { Sequence = 2, Amount = 5m });

        Assert.Equal(DecisionOutcome.Duplicate, again.Outcome);
        // At a new sequence the fingerprint alone cannot prove a duplicate: the actor asks its journal (RenumberedRetryTests).
        Assert.Equal(DecisionOutcome.Unconfirmed, sameIdOtherSequence.Outcome);
        Assert.Empty(sameIdOtherSequence.Events);
        Assert.Empty(again.Events);
        Assert.Equal(before, account.SnapshotJson());
        Assert.Equal(100m, account.State.BalanceOf("USDT"));
    }

    [Fact]
    public void A_new_id_at_or_below_its_sources_highest_sequence_is_rejected_as_out_of_order_with_the_numbers()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m));
        account.Accept(new Deposit("d-2", AccountFixture.Wallet, 2, "USDT", 100m));
        var before = account.SnapshotJson();

        var stale = account.Send(new Deposit("d-3", AccountFixture.Wallet, 2, "USDT", 100m));
        var older = account.Send(new Deposit("d-4", AccountFixture.Wallet, 1, "USDT", 100m));

        Assert.Equal(DecisionOutcome.Rejected, stale.Outcome);
        Assert.Equal(RejectionCode.OutOfOrder, stale.Rejection!.Code);
        Assert.Contains("sequence 2 from wallet is at or below the highest applied, 2", stale.Rejection.Message, StringComparison.Ordinal);
        Assert.Equal(RejectionCode.OutOfOrder, older.Rejection!.Code);
        Assert.Equal(before, account.SnapshotJson());
    }

    [Fact]
    public void A_skipped_sequence_is_accepted_and_reports_the_gap()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m));

        var decision = account.Send(new Deposit("d-5", AccountFixture.Wallet, 5, "USDT", 100m));

        Assert.Equal(DecisionOutcome.Accepted, decision.Outcome);
        Assert.Equal(new SequenceGap(AccountFixture.Wallet, 2, 4), decision.Gap);
        Assert.Equal(200m, account.State.BalanceOf("USDT"));
        Assert.Equal(5, account.State.Messages.HighestOf(AccountFixture.Wallet));
        var late = account.Send(new Deposit("d-3", AccountFixture.Wallet, 3, "USDT", 100m));
        Assert.Equal(RejectionCode.OutOfOrder, late.Rejection!.Code);
    }

    [Fact]
    public void A_sequence_at_the_largest_long_is_refused_as_a_jump_changes_nothing_and_the_source_goes_on_from_where_it_was()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m));

        var typo = account.Send(new Deposit("d-2", AccountFixture.Wallet, long.MaxValue, "USDT", 100m));
        var next = account.Send(new Deposit("d-3", AccountFixture.Wallet, 2, "USDT", 100m));

        Assert.Equal(DecisionOutcome.Rejected, typo.Outcome);
        Assert.Equal(RejectionCode.SequenceJump, typo.Rejection!.Code);
        Assert.Contains("sequence 9223372036854775807 from wallet is 9223372036854775806 beyond the highest applied, 1; at most 1000000 ahead",
            typo.Rejection.Message, StringComparison.Ordinal);
        Assert.Empty(typo.Events);
        Assert.Equal(DecisionOutcome.Accepted, next.Outcome);
        Assert.Null(next.Gap);
        Assert.Equal(200m, account.State.BalanceOf("USDT"));
        Assert.Equal(2, account.State.Messages.HighestOf(AccountFixture.Wallet));
    }

    [Fact]
    public void A_jump_of_exactly_the_bound_is_applied_with_its_gap_and_one_further_is_refused_also_for_a_new_sources_first_message()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m));

        var atBound = account.Send(new Deposit("d-2", AccountFixture.Wallet, 1 + MessageLedger.DefaultMaxJump, "USDT", 1m));
        var beyond = account.Send(new Deposit("d-3", AccountFixture.Wallet, 2 + (2 * MessageLedger.DefaultMaxJump), "USDT", 1m));
        var newSourceBeyond = account.Send(new Deposit("e-1", "other", MessageLedger.DefaultMaxJump + 1, "USDT", 1m));
        var newSourceAtBound = account.Send(new Deposit("e-2", "other", MessageLedger.DefaultMaxJump, "USDT", 1m));

        Assert.Equal(DecisionOutcome.Accepted, atBound.Outcome);
        Assert.Equal(new SequenceGap(AccountFixture.Wallet, 2, MessageLedger.DefaultMaxJump), atBound.Gap);
        Assert.Equal(RejectionCode.SequenceJump, beyond.Rejection!.Code);
        Assert.Equal(RejectionCode.SequenceJump, newSourceBeyond.Rejection!.Code);
        Assert.Equal(DecisionOutcome.Accepted, newSourceAtBound.Outcome);
        Assert.Equal(1 + MessageLedger.DefaultMaxJump, account.State.Messages.HighestOf(AccountFixture.Wallet));
    }

    [Fact]
    public void The_jump_bound_counts_from_each_sources_own_highest_so_a_source_far_along_does_not_open_the_way_for_another()
    {
        var ledger = new MessageLedger();
        ledger.Record("m-1", "me-1", 5_000_000);

        var farAlong = ledger.Check("m-2", "me-1", 5_600_000, maxJump: 1_000_000);
        var otherSource = ledger.Check("m-3", "me-2", 5_600_000, maxJump: 1_000_000);
        var tight = ledger.Check("m-4", "me-1", 5_000_011, maxJump: 10);

        Assert.Equal(MessageVerdict.Accepted, farAlong.Verdict);
        Assert.Equal(new SequenceGap("me-1", 5_000_001, 5_599_999), farAlong.Gap);
        Assert.Equal(MessageVerdict.TooFarAhead, otherSource.Verdict);
        Assert.Null(otherSource.Gap);
        Assert.Equal(0, otherSource.HighestSequence);
        Assert.Equal(MessageVerdict.TooFarAhead, tight.Verdict);
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Check("m-5", "me-1", 5_000_002, maxJump: 0));
    }

    [Fact]
    public void A_jump_is_refused_even_when_its_ids_fingerprint_is_remembered_without_asking_the_journal()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m));

        var renumberedFar = account.Send(new Deposit("d-1", AccountFixture.Wallet, long.MaxValue, "USDT", 100m));

        Assert.Equal(RejectionCode.SequenceJump, renumberedFar.Rejection!.Code);
    }

    [Fact]
    public void A_new_source_starts_at_one_so_a_first_message_above_one_reports_the_gap_from_one()
    {
        var account = new AccountFixture();

        var first = account.Send(new Deposit("d-1", AccountFixture.Wallet, 4, "USDT", 1m));
        var inOrder = account.Send(new Deposit("e-1", "other", 1, "USDT", 1m));

        Assert.Equal(new SequenceGap(AccountFixture.Wallet, 1, 3), first.Gap);
        Assert.Null(inOrder.Gap);
        Assert.Equal(DecisionOutcome.Accepted, inOrder.Outcome);
    }

    [Fact]
    public void Sequences_are_per_source()
    {
        var account = new AccountFixture();
        account.Accept(new Deposit("a-1", "a", 1, "USDT", 1m));
        account.Accept(new Deposit("a-2", "a", 2, "USDT", 1m));

        var otherSource = account.Send(new Deposit("b-1", "b", 1, "USDT", 1m));

        Assert.Equal(DecisionOutcome.Accepted, otherSource.Outcome);
        Assert.Null(otherSource.Gap);
    }

    [Fact]
    public void The_window_keeps_only_the_last_ids_and_an_evicted_duplicate_is_still_never_applied_twice()
    {
        var account = new AccountFixture(dedupeCapacity: 2);
        for (var n = 1; n <= 3; n++)
        {
            account.Accept(new Deposit($"d-{n}", AccountFixture.Wallet, n, "USDT", 10m));
        }

        var before = account.SnapshotJson();
        var evicted = account.Send(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 10m));
        var evictedNotFound = account.Send(new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 10m), idConfirmedNew: true);
        var remembered = account.Send(new Deposit("d-3", AccountFixture.Wallet, 3, "USDT", 10m));

        Assert.Equal(2, account.State.Messages.Count);
        Assert.False(account.State.Messages.Contains("d-1"));
        Assert.Equal(Hashes("d-2", "d-3"), account.State.Messages.ToSnapshot().RecentIdFingerprints);
        // The window is full: the journal is asked (the actor answers a duplicate when it finds the id); refused either way.
        Assert.Equal(DecisionOutcome.Unconfirmed, evicted.Outcome);
        Assert.Equal(RejectionCode.OutOfOrder, evictedNotFound.Rejection!.Code);
        Assert.Equal(DecisionOutcome.Duplicate, remembered.Outcome);
        Assert.Equal(before, account.SnapshotJson());
        Assert.Equal(30m, account.State.BalanceOf("USDT"));
    }

    [Fact]
    public void Check_does_not_record_only_record_does()
    {
        var ledger = new MessageLedger(capacity: 8);

        _ = ledger.Check("m", "s", 1);
        Assert.Equal(0, ledger.Count);
        ledger.Record("m", "s", 1);

        Assert.Equal(MessageVerdict.Duplicate, ledger.Check("m", "s", 1).Verdict);
        Assert.Equal(1, ledger.HighestOf("s"));
    }

    [Fact]
    public void By_default_the_last_64_ids_are_duplicates_and_an_older_redelivery_is_asked_of_the_journal_never_applied_twice()
    {
        var account = new AccountFixture();
        var first = new Deposit("d-1", AccountFixture.Wallet, 1, "USDT", 100m);
        account.Accept(first);
        for (var n = 2; n <= MessageLedger.DefaultCapacity; n++)
        {
            account.Accept(new Deposit($"d-{n}", AccountFixture.Wallet, n, "USDT", 1m));
        }

        var withinWindow = account.Send(first);
        account.Accept(new Deposit("d-last", AccountFixture.Wallet, MessageLedger.DefaultCapacity + 1, "USDT", 1m));
        var beyondWindow = account.Send(first);
        var beyondWindowNotInJournal = account.Send(first, idConfirmedNew: true);

        Assert.Equal(64, MessageLedger.DefaultCapacity);
        Assert.Equal(DecisionOutcome.Duplicate, withinWindow.Outcome);
        Assert.Equal(DecisionOutcome.Unconfirmed, beyondWindow.Outcome);
        Assert.Equal(RejectionCode.OutOfOrder, beyondWindowNotInJournal.Rejection!.Code);
        Assert.Equal(64, account.State.Messages.Count);
        Assert.Equal(100m + MessageLedger.DefaultCapacity, account.State.BalanceOf("USDT"));
    }

    [Fact]
    public void A_window_that_wrapped_many_times_remembers_exactly_the_last_ids_oldest_first_and_restores_them()
    {
        // 12 is not a power of two and 100 ids wrap it several times, through each growth of the ring (8, then 12).
        var ledger = new MessageLedger(capacity: 12);
        for (var n = 1; n <= 100; n++)
        {
            ledger.Record($"m-{n}", n % 3 == 0 ? "b" : "a", n);
            ledger.Record($"m-{n}", "a", n);
        }

        var expectedIds = Enumerable.Range(89, 12).Select(n => $"m-{n}").ToArray();
        var expected = Hashes(expectedIds);
        var restored = MessageLedger.FromSnapshot(ledger.ToSnapshot());

        Assert.Equal(expected, ledger.ToSnapshot().RecentIdFingerprints);
        Assert.Equal(12, ledger.Count);
        Assert.All(expectedIds, id => Assert.True(ledger.Contains(id)));
        Assert.False(ledger.Contains("m-88"));
        Assert.Equal(new[] { new SourceSequence("a", 100), new SourceSequence("b", 99) }, ledger.ToSnapshot().Sources);
        Assert.Equal(expected, restored.ToSnapshot().RecentIdFingerprints);
        Assert.Equal(MessageVerdict.Duplicate, restored.Check("m-89", "a", 89).Verdict);
        Assert.Equal(MessageVerdict.OutOfOrder, restored.Check("m-88", "a", 88).Verdict);
        Assert.Equal(MessageVerdict.Accepted, restored.Check("m-101", "b", 100).Verdict);
    }

    [Fact]
    public void A_snapshot_with_more_ids_than_its_capacity_restores_only_the_newest()
    {
        var snapshot = new MessageLedgerSnapshot(3, [new SourceSequence("s", 5)], ["m-1", "m-2", "m-3", "m-4", "m-5"]);

        var ledger = MessageLedger.FromSnapshot(snapshot);

        Assert.Equal(Hashes("m-3", "m-4", "m-5"), ledger.ToSnapshot().RecentIdFingerprints);
        Assert.False(ledger.Contains("m-2"));
        Assert.Equal(5, ledger.HighestOf("s"));
    }

    [Fact]
    public void A_snapshot_written_with_ids_as_text_restores_them_as_duplicates_and_is_rewritten_as_fingerprints()
    {
        // The format before hashes: ids as text, no RecentIdHashes or RecentIdFingerprints (null, as deserializing an old snapshot gives).
        var old = new MessageLedgerSnapshot(4, [new SourceSequence("s", 3)], ["m-1", "m-2", "m-3"]);

        var ledger = MessageLedger.FromSnapshot(old);
        var rewritten = ledger.ToSnapshot();

        Assert.Equal(MessageVerdict.Duplicate, ledger.Check("m-2", "s", 2).Verdict);
        Assert.Equal(MessageVerdict.Accepted, ledger.Check("m-4", "s", 4).Verdict);
        Assert.Empty(rewritten.RecentIds);
        Assert.Equal(Hashes("m-1", "m-2", "m-3"), rewritten.RecentIdFingerprints);
        Assert.Equal(MessageVerdict.Duplicate, MessageLedger.FromSnapshot(rewritten).Check("m-1", "s", 1).Verdict);
    }

    [Fact]
    public void A_snapshot_written_with_128_bit_hashes_restores_their_first_32_bits_as_the_fingerprints()
    {
        var hashes = new[] { "m-1", "m-2" }.Select(id => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))[..32]).ToArray();
        var old = new MessageLedgerSnapshot(4, [new SourceSequence("s", 2)], [], hashes);

        var ledger = MessageLedger.FromSnapshot(old);

        Assert.Equal(Hashes("m-1", "m-2"), ledger.ToSnapshot().RecentIdFingerprints);
        Assert.Null(ledger.ToSnapshot().RecentIdHashes);
        Assert.Equal(MessageVerdict.Duplicate, ledger.Check("m-2", "s", 2).Verdict);
        Assert.Equal(MessageVerdict.PossibleDuplicate, ledger.Check("m-1", "s", 3).Verdict);
        Assert.Equal(MessageVerdict.Accepted, ledger.Check("m-3", "s", 3).Verdict);
    }

    [Fact]
    public void An_account_snapshot_in_the_old_json_format_still_loads_with_its_window()
    {
        // Written as before hashes: the ids as text and neither recentIdHashes nor recentIdFingerprints at all.
        var registry = AccountFixture.Registry;
        var written = registry.Serialize(new AccountSnapshot("acc-old", MarginMode.StandardCross, [new CollateralBalance("USDT", 10m)], [], [],
            new MessageLedgerSnapshot(8, [new SourceSequence("wallet", 2)], ["d-1", "d-2"])));
        var json = System.Text.Json.Nodes.JsonNode.Parse(written.Bytes.Span)!;
        Assert.False(json["messages"]!.AsObject().ContainsKey("recentIdHashes"));
        Assert.True(json["messages"]!.AsObject().Remove("recentIdFingerprints"));
        var snapshot = Assert.IsType<AccountSnapshot>(registry.Deserialize(
            new SerializedPayload(written.Manifest, written.Version, System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()))));

        var state = AccountState.FromSnapshot(snapshot);

        Assert.True(state.Messages.Contains("d-2"));
        Assert.Equal(2, state.Messages.HighestOf("wallet"));
        Assert.Equal(Hashes("d-1", "d-2"), state.ToSnapshot().Messages.RecentIdFingerprints);
    }

    [Fact]
    public void An_id_fingerprint_is_the_first_four_bytes_of_its_sha256()
    {
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData("x-1"u8)), MessageLedger.FingerprintOf("x-1"));
    }

    [Fact]
    public void An_id_hashed_just_before_and_an_equal_id_in_another_string_both_get_the_sha256_fingerprint()
    {
        static uint Sha(string id) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        var first = string.Concat("exec-", "1");
        var copy = new string(first.AsSpan());
        var other = string.Concat("exec-", "2");

        var once = MessageLedger.FingerprintOf(first);
        var again = MessageLedger.FingerprintOf(first);
        var ofOther = MessageLedger.FingerprintOf(other);
        var ofCopy = MessageLedger.FingerprintOf(copy);
        var firstAfterOther = MessageLedger.FingerprintOf(first);

        Assert.Equal([Sha("exec-1"), Sha("exec-1"), Sha("exec-2"), Sha("exec-1"), Sha("exec-1")], [once, again, ofOther, ofCopy, firstAfterOther]);
    }

    private static uint[] Hashes(params string[] ids) => ids.Select(MessageLedger.FingerprintOf).ToArray();

    [Fact]
    public void The_managed_id_hash_is_the_first_half_of_SHA256_for_inputs_of_every_length_up_to_four_blocks()
    {
        // Every length 0..260 crosses each padding case: the tail with room for the length, without it, whole blocks.
        var random = new Random(20261121);
        for (var length = 0; length <= 260; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(System.Security.Cryptography.SHA256.HashData(data));

            Assert.Equal(expected, MessageIdHash.Of(data));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bx-acct-000123-42")]
    [InlineData("ex-\u00e9\u4e2d\U0001F600-long-id-that-spans-more-than-one-sixty-four-byte-block-of-sha-256-input")]
    public void A_remembered_id_is_kept_as_the_first_four_bytes_of_its_SHA256_of_its_UTF8(string messageId)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(messageId));

        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest), MessageLedger.FingerprintOf(messageId));
    }

    [Fact]
    public void A_what_if_ledger_is_one_shared_instance_that_records_neither_ids_nor_sequences()
    {
        var ledger = MessageLedger.ForWhatIf();

        ledger.Record("m-3", "venue", 3);

        Assert.Same(ledger, MessageLedger.ForWhatIf());
        Assert.Equal(0, ledger.HighestOf("venue"));
        Assert.Equal(0, ledger.Count);
        Assert.False(ledger.Contains("m-3"));
        Assert.Equal(MessageVerdict.Accepted, ledger.Check("m-3", "venue", 3).Verdict);
    }
}
