using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's one AMQP connection, shared by its shard consumers, publishers and subscriptions (each on its own channel).
/// The first connect is retried with exponential back-off (Polly) up to <see cref="RabbitMqOptions.ConnectTimeout"/>
/// unless the broker refuses the node (<see cref="BrokerRefusedException"/>);
/// after that RabbitMQ.Client's automatic recovery reconnects, re-opens every channel and re-declares the exchanges,
/// queues, bindings and consumers it saw, so consumers resume by themselves after a broker restart.
/// </summary>
/// <remarks>
/// Why the client's recovery rather than a loop of our own: it is the one place that knows every channel, consumer
/// tag, QoS setting and exclusive queue on the connection, and it rebases delivery tags so that an ack for a delivery
/// from before the outage is dropped instead of closing the new channel. A loop of our own would have to rebuild all
/// of that. Its interval is fixed (<see cref="RabbitMqOptions.ReconnectBackoffMin"/>); the growing back-off applies to
/// the first connect and to publish retries, which is where a long outage is felt.
/// </remarks>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _deadLetterLock = new(1, 1);
    private readonly BrokerRefusals _refusals;
    private ConfirmingPublisher? _deadLetterPublisher;
    private int _recoveries;
    private long _classifiedAt = long.MinValue;

    private RabbitMqConnection(IConnection connection, RabbitMqOptions options, string userName, BrokerRefusals refusals, ILoggerFactory loggerFactory)
    {
        _refusals = refusals;
        Connection = connection;
        Options = options;
        UserName = userName;
        Names = new TopologyNames(options.Prefix);
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RabbitMqConnection>();
        connection.ConnectionShutdownAsync += OnShutdownAsync;
        connection.RecoverySucceededAsync += OnRecoveredAsync;
        connection.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
    }

    /// <summary>The underlying client connection (auto-recovering).</summary>
    public IConnection Connection { get; }

    /// <summary>The options the connection was made with.</summary>
    public RabbitMqOptions Options { get; }

    /// <summary>The topology's names under <see cref="RabbitMqOptions.Prefix"/>.</summary>
    public TopologyNames Names { get; }

    /// <summary>
    /// The RabbitMQ user the connection logs in as (from <see cref="RabbitMqOptions.Uri"/> or
    /// <see cref="RabbitMqOptions.UserName"/>; under <see cref="RabbitMqOptions.ExternalAuthMechanism"/> per
    /// <see cref="RabbitMqOptions.ExternalUserFrom"/>, checked with the broker at connect): the only <c>user_id</c> the
    /// broker lets it publish under.
    /// </summary>
    public string UserName { get; }

    /// <summary>True while the connection is open (false during an outage, until recovery succeeds).</summary>
    public bool IsOpen => Connection.IsOpen;

    /// <summary>Times the connection has recovered after an outage.</summary>
    public int Recoveries => Volatile.Read(ref _recoveries);

    internal ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>How long closing the connection may take, and then disposing it.</summary>
    internal static TimeSpan CloseTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a refusal met while reconnecting is logged again while it lasts.</summary>
    internal static TimeSpan RefusalReportInterval { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Connects, retrying with exponential back-off until <see cref="RabbitMqOptions.ConnectTimeout"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    /// <exception cref="BrokerUnreachableException">The broker did not accept a connection within the time-out.</exception>
    /// <exception cref="BrokerRefusedException">The broker refused the login, the virtual host or the client certificate: not retried, the message says what to check.</exception>
    /// <exception cref="AuthenticationException">TLS failed (the broker's certificate refused, or the handshake): not retried, the message says why.</exception>
    /// <exception cref="InvalidOperationException">Under certificate login, the broker logs the node in as another user than <see cref="RabbitMqOptions.ExternalUserFrom"/> gives.</exception>
    public static async Task<RabbitMqConnection> ConnectAsync(RabbitMqOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RabbitMQ options: " + string.Join(" ", errors), nameof(options));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<RabbitMqConnection>();
        var (factory, userName, check) = CreateFactory(options);
        var attempt = new ConnectAttempt(factory, options, userName, check);
        // Strategies added first are outermost: the time-out bounds all attempts together, not each one.
        var pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(options.ConnectTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                // A refused certificate does not heal by waiting: TLS failures end the connect at once, as do the
                // broker's refusals (BrokerRefusedException, not handled here).
                ShouldHandle = new PredicateBuilder()
                    .Handle<BrokerUnreachableException>(e => TlsFailureIn(e) is null)
                    .Handle<IOException>(e => TlsFailureIn(e) is null)
                    .Handle<OperationInterruptedException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectBackoffMin,
                MaxDelay = options.ReconnectBackoffMax,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception, "RabbitMQ connect attempt {Attempt} failed; retrying in {Delay}", args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        IConnection connection;
        try
        {
            connection = await pipeline.ExecuteAsync(static async (a, ct) => await a.RunAsync(ct).ConfigureAwait(false), attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw new BrokerUnreachableException(new TimeoutException($"No RabbitMQ connection to {Describe(options)} within {options.ConnectTimeout}.", e));
        }
        catch (Exception e) when (e is not BrokerRefusedException && TlsFailureIn(e) is { } tls)
        {
            throw new AuthenticationException(
                $"TLS to RabbitMQ at {Describe(options)} failed: {check?.Problem ?? tls.Message}{(tls.InnerException is { } inner ? $" ({inner.Message})" : "")}", e);
        }

        logger.LogInformation("Connected to RabbitMQ at {Broker} as {User} ({Mechanism}{Tls})", Describe(options), userName, options.AuthMechanism, options.UsesTls ? ", TLS" : "");
        return new RabbitMqConnection(connection, options, userName, attempt.Refusals, loggerFactory);
    }

    /// <summary>Opens a channel on the connection (recovered with it).</summary>
    public Task<IChannel> CreateChannelAsync(bool publisherConfirms, CancellationToken cancellationToken = default) =>
        Connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: publisherConfirms, publisherConfirmationTrackingEnabled: publisherConfirms),
            cancellationToken);

    /// <summary>Closes the connection (and every channel on it: unacknowledged deliveries go back to their queues).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_deadLetterPublisher is not null)
        {
            await _deadLetterPublisher.DisposeAsync().ConfigureAwait(false);
        }

        // Each step bounded by WaitAsync as well: against a broker that stopped answering the client's own time-outs
        // are not kept (its close waits for the socket to die), and its dispose after a timed-out close can wait for
        // ever (rabbitmq-dotnet-client issue 1757). A node must stop whatever the broker does.
        try
        {
            await Connection.CloseAsync(CloseTimeout).WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or TimeoutException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the RabbitMQ connection failed; it is gone either way");
        }

        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Disposing the RabbitMQ connection did not finish within {Timeout}; its socket is left to the process's exit", CloseTimeout);
        }

        _deadLetterLock.Dispose();
    }

    /// <summary>The publisher shard consumers share to dead-letter poison messages (created on first use).</summary>
    internal async Task<ConfirmingPublisher> DeadLetterPublisherAsync(CancellationToken cancellationToken)
    {
        if (_deadLetterPublisher is { } existing)
        {
            return existing;
        }

        await _deadLetterLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _deadLetterPublisher ??= await ConfirmingPublisher.CreateAsync(this, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _deadLetterLock.Release();
        }
    }

    /// <summary>
    /// The client's factory for <paramref name="options"/>, the user the broker will log it in as, and the check of the
    /// broker's certificate (null without TLS).
    /// </summary>
    /// <exception cref="ArgumentException">A TLS file cannot be read, or the certificate gives no user name.</exception>
    internal static (ConnectionFactory Factory, string UserName, BrokerCertificateCheck? Check) CreateFactory(RabbitMqOptions options)
    {
        var factory = new ConnectionFactory
        {
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = options.ReconnectBackoffMin,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            ClientProvidedName = options.ClientName,
            ConsumerDispatchConcurrency = 1,
        };
        if (options.Uri is not null)
        {
            // An amqps:// URI turns TLS on (and port 5671 when it names none); its settings are replaced below.
            factory.Uri = options.Uri;
        }
        else
        {
            factory.HostName = options.HostName;
            factory.Port = options.Port;
            factory.VirtualHost = options.VirtualHost;
            factory.UserName = options.UserName;
            factory.Password = options.Password;
        }

        if (!options.UsesTls)
        {
            return (factory, factory.UserName, null);
        }

        var (ssl, client, check) = RabbitMqTls.Create(options.Tls, factory.HostName);
        factory.Ssl = ssl;
        var userName = factory.UserName;
        if (options.AuthMechanism == RabbitMqOptions.ExternalAuthMechanism)
        {
            factory.AuthMechanisms = [new ExternalMechanismFactory()];
            if (options.ExternalUserFrom == RabbitMqOptions.ExternalUserFromCommonName)
            {
                userName = RabbitMqTls.CommonNameOf(client!);
            }
        }

        return (factory, userName, check);
    }

    /// <summary>The TLS failure behind a failed connect, if that is what it was.</summary>
    internal static AuthenticationException? TlsFailureIn(Exception e) => BrokerRefusals.Find<AuthenticationException>(e);

    /// <summary>The broker as host:port/virtual host, for messages.</summary>
    internal static string Describe(RabbitMqOptions options) =>
        options.Uri is { } uri ? $"{uri.Host}:{uri.Port}{uri.AbsolutePath}" : $"{options.HostName}:{options.Port}{options.VirtualHost}";

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        if (e.Initiator != ShutdownInitiator.Application)
        {
            _logger.LogWarning("RabbitMQ connection lost ({Code} {Text}); recovering every {Interval}", e.ReplyCode, e.ReplyText, Options.ReconnectBackoffMin);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        Interlocked.Increment(ref _recoveries);
        Volatile.Write(ref _classifiedAt, long.MinValue);
        _logger.LogInformation("RabbitMQ connection recovered (channels, topology and consumers restored)");
        return Task.CompletedTask;
    }

    // A refusal met on a reconnect is logged as an error and recovery goes on: see the transport README ("Failure
    // behaviour") for why a running node keeps trying. A failure is classified (which may cost a TLS handshake) only
    // when a report is due: the first failed attempt of an outage, then one every RefusalReportInterval.
    private async Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref _classifiedAt);
        if (last == long.MinValue || now - last >= (long)RefusalReportInterval.TotalMilliseconds)
        {
            Volatile.Write(ref _classifiedAt, now);
            if (await _refusals.FindAsync(e.Exception, e.CancellationToken).ConfigureAwait(false) is { } refused)
            {
                _logger.LogError(refused, "RabbitMQ refuses this node's reconnect; recovery keeps trying every {Interval} until the broker takes it: {Refusal}",
                    Options.ReconnectBackoffMin, refused.Message);
                return;
            }
        }

        _logger.LogDebug(e.Exception, "RabbitMQ recovery attempt failed; trying again");
    }
}
