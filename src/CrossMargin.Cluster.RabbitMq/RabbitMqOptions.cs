namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// How a node reaches RabbitMQ and shapes the transport (section <c>RabbitMq</c> of the node's configuration).
/// Every node of a cluster must agree on <see cref="Prefix"/>, <see cref="ShardCount"/> and the queue arguments
/// (<see cref="BrokerDeliveryLimit"/>): a node that disagrees fails at start with a <see cref="TopologyConflictException"/>.
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "RabbitMq";

    /// <summary>Login by user name and password (the default).</summary>
    public const string PlainAuthMechanism = "PLAIN";

    /// <summary>Login by the TLS client certificate (the broker needs plugin <c>rabbitmq_auth_mechanism_ssl</c>).</summary>
    public const string ExternalAuthMechanism = "EXTERNAL";

    /// <summary>Under <see cref="ExternalAuthMechanism"/>, the user is the client certificate's subject common name (CN).</summary>
    public const string ExternalUserFromCommonName = "CommonName";

    /// <summary>Under <see cref="ExternalAuthMechanism"/>, the user is <see cref="UserName"/> (or <see cref="Uri"/>'s), as configured.</summary>
    public const string ExternalUserFromUserName = "UserName";

    /// <summary>An AMQP URI (<c>amqp://user:password@host:port/vhost</c>); when set it wins over the separate connection fields.</summary>
    public Uri? Uri { get; set; }

    /// <summary>The broker's host name or address.</summary>
    public string HostName { get; set; } = "127.0.0.1";

    /// <summary>The broker's AMQP port.</summary>
    public int Port { get; set; } = 5672;

    /// <summary>The virtual host.</summary>
    public string VirtualHost { get; set; } = "/";

    /// <summary>The user name.</summary>
    public string UserName { get; set; } = "guest";

    /// <summary>The password (a secret: never logged). Unused under <see cref="ExternalAuthMechanism"/>.</summary>
    public string Password { get; set; } = "guest";

    /// <summary>TLS to the broker (section <c>RabbitMq:Tls</c>).</summary>
    public RabbitMqTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// How the node logs in: <see cref="PlainAuthMechanism"/> or <see cref="ExternalAuthMechanism"/> (needs TLS and
    /// <see cref="RabbitMqTlsOptions.ClientCertificateFile"/>).
    /// </summary>
    public string AuthMechanism { get; set; } = PlainAuthMechanism;

    /// <summary>
    /// Under <see cref="ExternalAuthMechanism"/>, which user the broker makes of the certificate; the node signs its
    /// publishes (<c>user_id</c>) and its membership row with it, so it must be the broker's:
    /// <see cref="ExternalUserFromCommonName"/> (the default; the broker's <c>ssl_cert_login_from = common_name</c>) or
    /// <see cref="ExternalUserFromUserName"/> (for the broker's default, the subject's distinguished name as it formats
    /// it, or a SAN: set <see cref="UserName"/> to the name <c>rabbitmqctl list_connections user</c> shows). A wrong
    /// one fails the connect with the broker's own words.
    /// </summary>
    public string ExternalUserFrom { get; set; } = ExternalUserFromCommonName;

    /// <summary>True when the connection uses TLS (<see cref="RabbitMqTlsOptions.Enabled"/> or an <c>amqps://</c> <see cref="Uri"/>).</summary>
    public bool UsesTls => Tls.Enabled || Uri?.Scheme == "amqps";

    /// <summary>
    /// Unacknowledged deliveries a shard consumer holds at once. It bounds both the memory a node spends on a shard and
    /// the number of executions in flight towards the journal's group commit; 1 would serialise persistence.
    /// </summary>
    public ushort Prefetch { get; set; } = 256;

    /// <summary>
    /// How long a shard consumer waits, after a delivery's handler finished, before it acks: the deliveries of a journal
    /// batch finish together but one by one, and every ack frame is a settlement command in a quorum queue's log, so
    /// the ones that finish meanwhile go out in the same frame. 0 still lets the completions already queued run first.
    /// Default 1 ms; at most 1 s. An ack only tells the broker not to redeliver what is already durable, so the wait adds
    /// no latency to an execution's effects: it holds the prefetch window slightly longer and widens, by as much, the
    /// window in which a crash redelivers deliveries that the journal then recognises as duplicates.
    /// </summary>
    public TimeSpan AckCoalescing { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Shard queues behind the account exchange. Fixed for a deployment: changing it moves accounts between shards.</summary>
    public int ShardCount { get; set; } = 8;

    /// <summary>
    /// The type of the accounts exchange: <see cref="Topology.ModulusHashExchangeType"/> (plugin <c>rabbitmq_sharding</c>)
    /// or <see cref="Topology.ConsistentHashExchangeType"/> (plugin <c>rabbitmq_consistent_hash_exchange</c>). Both route
    /// by a hash of the routing key (the account id). The consistent-hash exchange keeps its ring in memory and rebuilds
    /// it at boot in the order it recovers the bindings, which is not the order they were declared in: measured on
    /// 3.10.8 with 16 shards, accounts moved between shard queues across a broker restart. The modulus-hash exchange
    /// has no state (hash modulo the number of bound queues, picked in the route table's sorted order), so an account stays
    /// on its queue.
    /// </summary>
    public string AccountsExchangeType { get; set; } = Topology.ModulusHashExchangeType;

    /// <summary>
    /// The type of the shard queues and the liquidation queue: <see cref="Topology.QuorumQueueType"/> (default) or
    /// <see cref="Topology.ClassicQueueType"/> (a durable classic queue, version 2). Both keep the messages on disk
    /// (persistent, confirmed once written), single active consumer, dead-lettering and reject-publish on overflow. A
    /// quorum queue also replicates across a RabbitMQ cluster's nodes and counts each message's returns, which bounds
    /// redelivery across crashes and hand-offs (<see cref="BrokerDeliveryLimit"/>); a classic queue does neither (see the
    /// transport's README). Fixed for a deployment: a queue cannot change type, declaring it with the other fails.
    /// </summary>
    public string ShardQueueType { get; set; } = Topology.QuorumQueueType;

    /// <summary>The consistent-hash weight every shard queue is bound with (all equal, so shards get equal key space).</summary>
    public int ShardWeight { get; set; } = 20;

    /// <summary>Prefix of every exchange and queue name, so several clusters (or test runs) can share one broker.</summary>
    public string Prefix { get; set; } = "cm";

    /// <summary>How long a publish waits for the broker's confirm before the attempt counts as failed.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a publish keeps retrying through a lost connection before it gives up.</summary>
    public TimeSpan PublishRetryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first reconnect (and publish retry) delay; also the client's fixed recovery interval.</summary>
    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest reconnect (and publish retry) delay the exponential back-off grows to.</summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the first connection keeps being retried before start-up fails.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Attempts a shard delivery gets when its handler fails: on the last failure the message goes to the dead-letter
    /// queue with the failure's reason instead of back to its shard queue. Counted by the broker (quorum queue delivery
    /// count), so it survives consumer crashes and shard hand-offs; on classic shard queues, which count nothing, the
    /// consumer counts its own handler failures, so the count starts again on another consumer.
    /// </summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>
    /// The broker-side backstop (<c>x-delivery-limit</c>): a message returned this many times without ever failing in a
    /// handler (it crashes the node, or keeps being handed off) is dead-lettered by the broker. Must be at least
    /// <see cref="MaxDeliveryAttempts"/>. Quorum shard queues only: classic queues have no such limit.
    /// </summary>
    public int BrokerDeliveryLimit { get; set; } = 20;

    /// <summary>Stop phase 1: how long cancelling the consumer (no new deliveries) may take.</summary>
    public TimeSpan ConsumerCancelTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Stop phase 2: how long in-flight handlers get to finish (their deliveries are acked) before they are cancelled.</summary>
    public TimeSpan HandlerDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop phase 3: how long closing the channel (which requeues whatever is still unacked) may take.</summary>
    public TimeSpan ChannelCloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Marks a node's marks queue keeps; older ones are dropped first (marks conflate: only the latest matters).</summary>
    public int MarksQueueMaxLength { get; set; } = 100_000;

    /// <summary>The client name shown in the broker's connection list.</summary>
    public string ClientName { get; set; } = "crossmargin";

    /// <summary>Lists every problem with these options (empty when they are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Uri is null)
        {
            if (string.IsNullOrWhiteSpace(HostName))
            {
                errors.Add("RabbitMq:HostName is required when RabbitMq:Uri is not set.");
            }

            if (Port is <= 0 or > 65535)
            {
                errors.Add($"RabbitMq:Port must be 1-65535 (was {Port}).");
            }

            if (string.IsNullOrEmpty(VirtualHost))
            {
                errors.Add("RabbitMq:VirtualHost is required.");
            }

            if (string.IsNullOrEmpty(UserName))
            {
                errors.Add("RabbitMq:UserName is required.");
            }
        }
        else if (Uri.Scheme is not ("amqp" or "amqps"))
        {
            errors.Add($"RabbitMq:Uri must be an amqp:// or amqps:// URI (was {Uri.Scheme}://).");
        }

        ValidateLogin(errors);
        if (Prefetch == 0)
        {
            errors.Add("RabbitMq:Prefetch must be at least 1 (0 means unbounded).");
        }

        if (AckCoalescing < TimeSpan.Zero || AckCoalescing > TimeSpan.FromSeconds(1))
        {
            errors.Add($"RabbitMq:AckCoalescing must be 0-1 s (was {AckCoalescing}).");
        }

        if (ShardCount is < 1 or > 4096)
        {
            errors.Add($"RabbitMq:ShardCount must be 1-4096 (was {ShardCount}).");
        }

        if (AccountsExchangeType is not (Topology.ModulusHashExchangeType or Topology.ConsistentHashExchangeType))
        {
            errors.Add($"RabbitMq:AccountsExchangeType must be {Topology.ModulusHashExchangeType} or {Topology.ConsistentHashExchangeType} (was '{AccountsExchangeType}').");
        }

        if (ShardQueueType is not (Topology.QuorumQueueType or Topology.ClassicQueueType))
        {
            errors.Add($"RabbitMq:ShardQueueType must be {Topology.QuorumQueueType} or {Topology.ClassicQueueType} (was '{ShardQueueType}').");
        }

        if (ShardWeight is < 1 or > 1000)
        {
            errors.Add($"RabbitMq:ShardWeight must be 1-1000 (was {ShardWeight}).");
        }

        if (string.IsNullOrWhiteSpace(Prefix) || !Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add($"RabbitMq:Prefix must be letters, digits, '-', '_' or '.' (was '{Prefix}').");
        }

        Positive(errors, nameof(ConfirmTimeout), ConfirmTimeout);
        Positive(errors, nameof(PublishRetryTimeout), PublishRetryTimeout);
        Positive(errors, nameof(ReconnectBackoffMin), ReconnectBackoffMin);
        Positive(errors, nameof(ConnectTimeout), ConnectTimeout);
        Positive(errors, nameof(ConsumerCancelTimeout), ConsumerCancelTimeout);
        Positive(errors, nameof(HandlerDrainTimeout), HandlerDrainTimeout);
        Positive(errors, nameof(ChannelCloseTimeout), ChannelCloseTimeout);
        if (ReconnectBackoffMax < ReconnectBackoffMin)
        {
            errors.Add($"RabbitMq:ReconnectBackoffMax ({ReconnectBackoffMax}) must not be below RabbitMq:ReconnectBackoffMin ({ReconnectBackoffMin}).");
        }

        if (MaxDeliveryAttempts < 1)
        {
            errors.Add($"RabbitMq:MaxDeliveryAttempts must be at least 1 (was {MaxDeliveryAttempts}).");
        }

        if (BrokerDeliveryLimit < MaxDeliveryAttempts)
        {
            errors.Add($"RabbitMq:BrokerDeliveryLimit ({BrokerDeliveryLimit}) must be at least RabbitMq:MaxDeliveryAttempts ({MaxDeliveryAttempts}).");
        }

        if (MarksQueueMaxLength < 1)
        {
            errors.Add($"RabbitMq:MarksQueueMaxLength must be at least 1 (was {MarksQueueMaxLength}).");
        }

        return errors;
    }

    private void ValidateLogin(List<string> errors)
    {
        if (Tls is null)
        {
            errors.Add("RabbitMq:Tls must be a section (or absent).");
            return;
        }

        if (Tls.Enabled && Uri?.Scheme == "amqp")
        {
            errors.Add("RabbitMq:Tls:Enabled is true but RabbitMq:Uri is amqp:// (plain): use amqps://.");
        }

        if (!UsesTls)
        {
            foreach (var (name, value) in new[] { ("ServerName", Tls.ServerName), ("CaFile", Tls.CaFile), ("ClientCertificateFile", Tls.ClientCertificateFile), ("ClientKeyFile", Tls.ClientKeyFile) })
            {
                if (!string.IsNullOrEmpty(value))
                {
                    errors.Add($"RabbitMq:Tls:{name} is set but TLS is off (set RabbitMq:Tls:Enabled=true or an amqps:// RabbitMq:Uri).");
                }
            }
        }

        FileExists(errors, "CaFile", Tls.CaFile);
        FileExists(errors, "ClientCertificateFile", Tls.ClientCertificateFile);
        FileExists(errors, "ClientKeyFile", Tls.ClientKeyFile);
        if (string.IsNullOrEmpty(Tls.ClientCertificateFile) && (!string.IsNullOrEmpty(Tls.ClientKeyFile) || !string.IsNullOrEmpty(Tls.ClientCertificatePassword)))
        {
            errors.Add("RabbitMq:Tls:ClientKeyFile and RabbitMq:Tls:ClientCertificatePassword need RabbitMq:Tls:ClientCertificateFile.");
        }

        if (AuthMechanism is not (PlainAuthMechanism or ExternalAuthMechanism))
        {
            errors.Add($"RabbitMq:AuthMechanism must be {PlainAuthMechanism} or {ExternalAuthMechanism} (was '{AuthMechanism}').");
        }
        else if (AuthMechanism == ExternalAuthMechanism && (!UsesTls || string.IsNullOrEmpty(Tls.ClientCertificateFile)))
        {
            errors.Add($"RabbitMq:AuthMechanism {ExternalAuthMechanism} logs in with the client certificate: it needs TLS and RabbitMq:Tls:ClientCertificateFile.");
        }

        if (ExternalUserFrom is not (ExternalUserFromCommonName or ExternalUserFromUserName))
        {
            errors.Add($"RabbitMq:ExternalUserFrom must be {ExternalUserFromCommonName} or {ExternalUserFromUserName} (was '{ExternalUserFrom}').");
        }
    }

    private static void FileExists(List<string> errors, string name, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            errors.Add($"RabbitMq:Tls:{name} '{path}' does not exist.");
        }
    }

    private static void Positive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"RabbitMq:{name} must be positive (was {value}).");
        }
    }
}
