using System.Diagnostics;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Contracts;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Api;
using CrossMargin.Node.Metrics;
using CrossMargin.Node.Rejections;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// What a node does with a delivery from one of its shard queues: read the contract message, hand it to the account in
/// that shard, and answer the requester (if it asked) with the status and body the HTTP API would give. The task
/// completes once the account answered, which is after its events are durable, so the delivery is acked only then. A
/// venue message is counted (path <c>shard</c>) and, when refused, recorded and published as <see cref="MessageRejected"/>
/// before the task completes, so a refusal is on the broker before its delivery is acked.
/// </summary>
public sealed class ShardDeliveries
{
    private readonly RiskEngine _engine;
    private readonly ConfirmingPublisher _publisher;
    private readonly ILogger _log;
    private readonly string _nodeId;
    private readonly ShardRejections _rejections;

    /// <summary>
    /// Creates the handler over <paramref name="engine"/>, answering through <paramref name="publisher"/> as node
    /// <paramref name="nodeId"/>, taking coordinator messages only from RabbitMQ user <paramref name="clusterUser"/>
    /// (the node's own connection's); the venue's messages that skip ahead of their source wait in <paramref name="hold"/>,
    /// and those refused go to <paramref name="rejections"/>.
    /// </summary>
    public ShardDeliveries(RiskEngine engine, ConfirmingPublisher publisher, string nodeId, string clusterUser, SequenceHold hold, ShardRejections rejections, ILogger log)
    {
        _rejections = rejections ?? throw new ArgumentNullException(nameof(rejections));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        ClusterUsers = new ClusterUserCheck(clusterUser, rejections, log);
        Hold = hold ?? throw new ArgumentNullException(nameof(hold));
        _nodeId = nodeId ?? throw new ArgumentNullException(nameof(nodeId));
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
    }

    /// <summary>Takes what only nodes send from the cluster's RabbitMQ user alone (here the coordinator's messages).</summary>
    public ClusterUserCheck ClusterUsers { get; }

    /// <summary>Where the venue's messages that skip ahead of their source wait for the missing ones.</summary>
    public SequenceHold Hold { get; }

    /// <summary>Whether the node's leases are current (see <c>ClusterNode.LeasesCurrent</c>); always, unless the node says.</summary>
    internal Func<bool> LeasesCurrent { get; set; } = static () => true;

    /// <summary>Returns once a read's answer may be sent (<see cref="LeaseBoundReads.WithinLeaseAsync"/>).</summary>
    private ValueTask WithinLeaseAsync(CancellationToken cancellationToken) => LeaseBoundReads.WithinLeaseAsync(LeasesCurrent, cancellationToken);

    /// <summary>Handles one delivery (a <see cref="ShardDeliveryHandler"/>).</summary>
    public Task HandleAsync(ShardDelivery delivery, CancellationToken cancellationToken) => HandleAsync(delivery, null, cancellationToken);

    /// <summary>Handles one delivery (an <see cref="InOrderDeliveryHandler"/>), telling <paramref name="hold"/> when it waits in the sequence hold.</summary>
    /// <remarks>
    /// A venue command (nearly every delivery) goes its whole way in this one method: read, send to its account, hold on
    /// a gap, count. Each layer of its own was an async state machine per delivery (session 27's allocation profile).
    /// Everything up to the account's Tell runs before the first await, so deliveries reach each account in queue order.
    /// </remarks>
    public async Task HandleAsync(ShardDelivery delivery, ISequenceHoldObserver? hold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var type = delivery.Type;
        if (type is not null && type.StartsWith(ClusterMessageTypes.InternalPrefix, StringComparison.Ordinal))
        {
            await HandleInternalAsync(delivery, hold, cancellationToken).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        Answer answer;
        if (type is AccountMessageTypes.GetAccount or AccountMessageTypes.ExplainMargin or AccountMessageTypes.PreTrade)
        {
            answer = await QueryAsync(delivery, cancellationToken).ConfigureAwait(false);

            // A read's token is cancelled once the shard's lease may have passed (LeaseBoundReads): an answer made from
            // this node's memory then may be older than what the shard's next holder has applied. Not sent; the delivery
            // goes back to the queue for that holder.
            await WithinLeaseAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (Read(delivery, out var command, out var accountId) is { } refused)
        {
            answer = refused;
        }
        else
        {
            var reply = await _engine.SendToShardAsync(delivery.Shard, accountId, Hold.FirstAttempt(command), cancellationToken).ConfigureAwait(false);
            if (Hold.Ahead(accountId, reply) is { } ahead)
            {
                reply = await HoldAsync(delivery, accountId, command, ahead, hold, cancellationToken).ConfigureAwait(false);
            }

            if (reply is CommandAccepted or CommandDuplicate && !AsksForReply(delivery))
            {
                // Counted as AccountAnswers.ForCommand names it, without building the body nobody reads. The type was read,
                // so it is one the contract knows and is its own label.
                NodeMetrics.Record(MessageRejected.ShardPath, type!, reply is CommandAccepted ? "accepted" : "duplicate", null, Stopwatch.GetElapsedTime(started));
                return;
            }

            var (code, outcome, _, _) = AccountAnswers.ForCommand(reply, accountId);
            answer = new Answer(code, outcome);
        }

        await CountAsync(delivery, answer, started, cancellationToken).ConfigureAwait(false);
        if (delivery.ReplyTo is { } replyTo && delivery.CorrelationId is { } correlation)
        {
            // Serialized only for a requester: the venue's own publishes ask for no answer, and building the body as the
            // API writes it (reflection-based JSON) was a measurable share of a delivery's CPU.
            var reply = AccountReply.Of(answer.Status, answer.Body) with { Node = _nodeId, Shard = delivery.Shard };
            await _publisher.ReplyAsync(replyTo, correlation, reply.ToBytes(), delivery.MessageId ?? correlation, "reply", cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool AsksForReply(ShardDelivery delivery) => delivery.ReplyTo is not null && delivery.CorrelationId is not null;

    // Its own method so that the closure over the delivery is made only for a delivery that is held, not for every one.
    private Task<object> HoldAsync(ShardDelivery delivery, string accountId, IAccountCommand command, CommandAhead ahead, ISequenceHoldObserver? hold,
        CancellationToken cancellationToken) =>
        Hold.HoldAsync(delivery.Shard, accountId, command, ahead, m => _engine.SendToShardAsync(delivery.Shard, accountId, m, cancellationToken), hold, cancellationToken);

    // Queries answer, they are not refused; a pre-trade check's "no" is an answer too, so only its malformed form is recorded.
    private async Task CountAsync(ShardDelivery delivery, Answer answer, long started, CancellationToken cancellationToken)
    {
        var type = delivery.Type ?? "unknown";
        if (type is AccountMessageTypes.GetAccount or AccountMessageTypes.ExplainMargin)
        {
            return;
        }

        if (answer.Body is not MessageOutcome outcome)
        {
            if (type == AccountMessageTypes.PreTrade)
            {
                NodeMetrics.Record(MessageRejected.ShardPath, type, answer.Body is PreTradeResult { Accepted: true } ? "accepted" : "rejected", null,
                    Stopwatch.GetElapsedTime(started));
            }

            return;
        }

        // The type is the publisher's: counted under its name only when it is one the contract knows, so a publisher
        // sending arbitrary types cannot add a metric series each (the record keeps the type as sent).
        var label = AccountMessageTypes.Names.Contains(type) || type == AccountMessageTypes.PreTrade ? type : "unknown";
        NodeMetrics.Record(MessageRejected.ShardPath, label, outcome.Outcome, outcome.Code, Stopwatch.GetElapsedTime(started));
        if (outcome.Outcome == "rejected")
        {
            await _rejections.RecordAsync(delivery, type, outcome, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The liquidation coordinator's messages (from the singleton's node, through the accounts exchange): applied like
    /// the venue's (held on a sequence gap the same way), answered in wire form (<see cref="AccountCommandAnswer"/>) for the coordinator.
    /// One not published by the cluster's own RabbitMQ user is refused (<see cref="ClusterUserCheck"/>).
    /// </summary>
    private async Task HandleInternalAsync(ShardDelivery delivery, ISequenceHoldObserver? hold, CancellationToken cancellationToken)
    {
        if (!await ClusterUsers.AdmitAsync(delivery, MessageRejected.ShardPath, ClusterMessageTypes.InternalNames, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        object? message;
        try
        {
            message = ReadInternal(delivery.Type!, delivery.Body);
        }
        catch (JsonException e)
        {
            message = null;
            _log.LogWarning(e, "Shard {Shard}: unreadable coordinator message {MessageId} ({Type}) for {Account}", delivery.Shard, delivery.MessageId, delivery.Type, delivery.AccountId);
        }

        if (message is null)
        {
            // Redelivery cannot make it readable; the coordinator times out and asks again.
            _log.LogWarning("Shard {Shard}: coordinator message {MessageId} of type {Type} for {Account} refused", delivery.Shard, delivery.MessageId, delivery.Type, delivery.AccountId);
            return;
        }

        // The coordinator numbers its commands per account and source as the venue does, and a shard hand-off can
        // reorder them the same way: a command that skips ahead waits for the missing ones like a venue message.
        var answer = message is IAccountCommand command
            ? await Hold.SendAsync(delivery.Shard, delivery.AccountId, command,
                m => _engine.SendToShardAsync(delivery.Shard, delivery.AccountId, m, cancellationToken), hold, cancellationToken).ConfigureAwait(false)
            : await _engine.SendToShardAsync(delivery.Shard, delivery.AccountId, message, cancellationToken).ConfigureAwait(false);
        if (message is GetAccount)
        {
            // The coordinator's view of an account, a read: not sent once the lease may have passed (see HandleAsync).
            await WithinLeaseAsync(cancellationToken).ConfigureAwait(false);
        }

        if (delivery.ReplyTo is { } replyTo && delivery.CorrelationId is { } correlation)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(AccountCommandAnswer.Of(delivery.AccountId, answer), ClusterWireJsonContext.Default.AccountCommandAnswer);
            await _publisher.ReplyAsync(replyTo, correlation, bytes, delivery.MessageId ?? correlation, "reply", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The engine's message for a coordinator message of <paramref name="type"/>; null for a type no node knows.</summary>
    /// <exception cref="JsonException">The body is not of the type.</exception>
    internal static object? ReadInternal(string type, ReadOnlyMemory<byte> body) => type switch
    {
        ClusterMessageTypes.GetAccountView => GetAccount.Instance,
        ClusterMessageTypes.CancelAllOrders => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.CancelAllOrders),
        ClusterMessageTypes.ChargeLiquidationFee => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.ChargeLiquidationFee),
        ClusterMessageTypes.CoverDeficit => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.CoverDeficit),
        ClusterMessageTypes.AdlExecution => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.ApplyExecution),
        ClusterMessageTypes.VoidSequence => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.VoidSequence),
        ClusterMessageTypes.OpenAccount => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.OpenAccount),
        ClusterMessageTypes.Withdraw => JsonSerializer.Deserialize(body.Span, ClusterWireJsonContext.Default.Withdraw),
        _ => null,
    };

    private async Task<Answer> QueryAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Type == AccountMessageTypes.PreTrade)
        {
            return await PreTradeAsync(delivery, cancellationToken).ConfigureAwait(false);
        }

        object query = delivery.Type == AccountMessageTypes.GetAccount ? GetAccount.Instance : Engine.Accounts.ExplainMargin.Instance;
        var (status, body) = AccountAnswers.ForQuery(await _engine.SendToShardAsync(delivery.Shard, delivery.AccountId, query, cancellationToken).ConfigureAwait(false));
        return new Answer(status, body);
    }

    /// <summary>
    /// Reads a venue command: null with <paramref name="command"/> and <paramref name="accountId"/> when it is sound, else
    /// the answer refusing it.
    /// </summary>
    private Answer? Read(ShardDelivery delivery, out IAccountCommand command, out string accountId)
    {
        (command, accountId) = (null!, null!);
        if (!AccountMessageTypes.TryRead(delivery.Type, delivery.Body, out var message, out var violation))
        {
            // A type no node knows cannot become valid by redelivery: answer, count, and let it be acked.
            _log.LogWarning("Shard {Shard}: message {MessageId} of unknown type {Type} for {Account} refused", delivery.Shard, delivery.MessageId, delivery.Type, delivery.AccountId);
            return Malformed(delivery.MessageId, new ContractViolation("type", $"'{delivery.Type}' is not an account message; expected one of {string.Join(", ", AccountMessageTypes.Names)}."));
        }

        var result = message?.ToAccountCommand();
        if (Refusal(delivery, message?.MessageId, violation, result) is { } refused)
        {
            return refused;
        }

        if ((FundAccountGuard.Refusal(result!.AccountId!, _engine.FundAccountId, message!, delivery.Type!)
             ?? CoordinatorSourceGuard.Refusal(result.Command!, delivery.Type!)) is { } reserved)
        {
            // Published to the accounts exchange directly, past the HTTP edge's same check.
            return new Answer(StatusCodes.Status403Forbidden, reserved);
        }

        (command, accountId) = (result.Command!, result.AccountId!);
        return null;
    }

    private async Task<Answer> PreTradeAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        var (message, violation) = ContractReader.Read(delivery.Body.Span, ContractJsonContext.Default.PreTradeMessage);
        var query = message?.ToQuery();
        if (Refusal(delivery, message?.MessageId, violation, query) is { } refused)
        {
            return refused;
        }

        var answer = (PreTradeResult)await _engine.SendToShardAsync(delivery.Shard, query!.AccountId!, query.Command!, cancellationToken).ConfigureAwait(false);
        return new Answer(answer.Rejection is { Code: RejectionCode.UnknownAccount } ? StatusCodes.Status404NotFound : StatusCodes.Status200OK, answer);
    }

    /// <summary>The 400 answer for a body that breaks the contract or names another account than its routing key; null when it is sound.</summary>
    private static Answer? Refusal<T>(ShardDelivery delivery, string? messageId, ContractViolation? unreadable, ContractResult<T>? result)
        where T : class
    {
        if (result is not { IsValid: true })
        {
            IReadOnlyList<ContractViolation> all = unreadable is not null ? [unreadable] : result?.Violations ?? [];
            return Malformed(messageId, [.. all]);
        }

        return EnvelopeMismatch(delivery, result.AccountId!, messageId!) is { } mismatch ? Malformed(messageId, mismatch) : null;
    }

    /// <summary>How the AMQP envelope of a sound body contradicts it, or null when routing key and message_id are the body's.</summary>
    internal static ContractViolation? EnvelopeMismatch(ShardDelivery delivery, string accountId, string messageId)
    {
        // The routing key chose the shard; a body for another account would be applied on a shard that does not own it.
        if (!string.Equals(accountId, delivery.AccountId, StringComparison.Ordinal))
        {
            return new ContractViolation("accountId", $"'{accountId}' differs from the routing key '{delivery.AccountId}'; publish with routing key = account id.");
        }

        // The consumer counts a delivery's failures and the rejections exchange keys its records by message_id, the
        // account deduplicates by the body's messageId: two different ids would make one message two for the transport.
        return string.Equals(messageId, delivery.MessageId, StringComparison.Ordinal)
            ? null
            : new ContractViolation("messageId", delivery.MessageId is null
                ? $"the AMQP message_id is missing; publish with message_id = messageId ('{messageId}')."
                : $"'{messageId}' differs from the AMQP message_id '{delivery.MessageId}'; publish with message_id = messageId.");
    }

    private static Answer Malformed(string? messageId, params ContractViolation[] violations) =>
        new Answer(StatusCodes.Status400BadRequest, new MessageOutcome("rejected", messageId, "malformed", string.Join("; ", violations.AsEnumerable()), violations));

    /// <summary>The status and body an account message is answered with, serialized only when someone asked.</summary>
    private readonly record struct Answer(int Status, object Body);
}
