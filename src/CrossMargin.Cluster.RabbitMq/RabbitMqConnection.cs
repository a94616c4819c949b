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
/// The first connect is retried with exponential back-off (Polly) up to <see cref="RabbitMqOptions.ConnectTimeout"/>;
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
    private ConfirmingPublisher? _deadLetterPublisher;
    private int _recoveries;

    private RabbitMqConnection(IConnection connection, RabbitMqOptions options, ILoggerFactory loggerFactory)
    {
        Connection = connection;
        Options = options;
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
    /// <see cref="RabbitMqOptions.UserName"/>): the only <c>user_id</c> the broker lets it publish under.
    /// </summary>
    public string UserName => UserNameOf(Options);

    /// <summary>True while the connection is open (false during an outage, until recovery succeeds).</summary>
    public bool IsOpen => Connection.IsOpen;

    /// <summary>Times the connection has recovered after an outage.</summary>
    public int Recoveries => Volatile.Read(ref _recoveries);

    internal ILoggerFactory LoggerFactory => _loggerFactory;

    /// <summary>Connects, retrying with exponential back-off until <see cref="RabbitMqOptions.ConnectTimeout"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    /// <exception cref="BrokerUnreachableException">The broker did not accept a connection within the time-out.</exception>
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
        var factory = CreateFactory(options);
        // Strategies added first are outermost: the time-out bounds all attempts together, not each one.
        var pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(options.ConnectTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<BrokerUnreachableException>().Handle<IOException>(),
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
            connection = await pipeline.ExecuteAsync(static async (f, ct) => await f.CreateConnectionAsync(ct).ConfigureAwait(false), factory, cancellationToken).ConfigureAwait(false);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw new BrokerUnreachableException(new TimeoutException($"No RabbitMQ connection to {Describe(options)} within {options.ConnectTimeout}.", e));
        }

        logger.LogInformation("Connected to RabbitMQ at {Broker}", Describe(options));
        return new RabbitMqConnection(connection, options, loggerFactory);
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

        try
        {
            await Connection.CloseAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or TimeoutException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the RabbitMQ connection failed; it is gone either way");
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
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

    internal static ConnectionFactory CreateFactory(RabbitMqOptions options)
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

        return factory;
    }

    /// <summary>The user a connection made with <paramref name="options"/> logs in as (the client's parsing of the URI's user info, guest without one).</summary>
    internal static string UserNameOf(RabbitMqOptions options) => CreateFactory(options).UserName;

    private static string Describe(RabbitMqOptions options) =>
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
        _logger.LogInformation("RabbitMQ connection recovered (channels, topology and consumers restored)");
        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        _logger.LogDebug(e.Exception, "RabbitMQ recovery attempt failed; trying again");
        return Task.CompletedTask;
    }
}
