using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// One try at the first connect: the connection, then one channel on it, which is where the broker's refusal of the
/// virtual host shows (it closes the connection with 530 after the client took it as open), and under certificate
/// login the check of the user the broker made of the certificate. A refusal ends as a <see cref="BrokerRefusedException"/>.
/// </summary>
internal sealed class ConnectAttempt
{
    private readonly ConnectionFactory _factory;
    private readonly RabbitMqOptions _options;
    private readonly string _userName;
    private readonly BrokerCertificateCheck? _check;

    /// <summary>Tries <paramref name="factory"/>, made for <paramref name="options"/>, logging in as <paramref name="userName"/>.</summary>
    public ConnectAttempt(ConnectionFactory factory, RabbitMqOptions options, string userName, BrokerCertificateCheck? check)
    {
        _factory = factory;
        _options = options;
        _userName = userName;
        _check = check;
        Refusals = new BrokerRefusals(options, factory, userName, RabbitMqConnection.Describe(options));
    }

    /// <summary>What tells the broker's refusals of this connection from an outage (also on its reconnects).</summary>
    public BrokerRefusals Refusals { get; }

    /// <summary>Connects and checks the connection is usable.</summary>
    /// <exception cref="BrokerRefusedException">The broker refused the login, the virtual host or the client certificate.</exception>
    public async Task<IConnection> RunAsync(CancellationToken cancellationToken)
    {
        IConnection connection;
        try
        {
            connection = await _factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ThrowIfRefusedAsync(e, cancellationToken).ConfigureAwait(false);
            throw;
        }

        try
        {
            await CheckAccessAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (e is OperationInterruptedException)
            {
                await ThrowIfRefusedAsync(e, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task ThrowIfRefusedAsync(Exception failure, CancellationToken cancellationToken)
    {
        // The broker's certificate refused by this node: the caller says why.
        if (_check?.Problem is not null && RabbitMqConnection.TlsFailureIn(failure) is not null)
        {
            return;
        }

        if (await Refusals.FindAsync(failure, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            throw refused;
        }
    }

    // The broker answers connection.open before the channel.open behind it, so a refused virtual host closes the
    // connection before this channel opens. Under certificate login the broker refuses (406, closing the channel) a
    // publish whose user_id is not the connection's user: one unroutable publish on the default exchange tells, before
    // anything is signed with a name the broker would refuse every time.
    private async Task CheckAccessAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var external = _options.AuthMechanism == RabbitMqOptions.ExternalAuthMechanism;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConfirmTimeout);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: external, publisherConfirmationTrackingEnabled: external), timeout.Token).ConfigureAwait(false);
        if (!external)
        {
            return;
        }

        try
        {
            await channel.BasicPublishAsync("", "", mandatory: false, new BasicProperties { UserId = _userName }, ReadOnlyMemory<byte>.Empty, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == Constants.PreconditionFailed)
        {
            throw new InvalidOperationException(
                $"RabbitMQ at {RabbitMqConnection.Describe(_options)} logs this node's certificate in as another user than '{_userName}' (RabbitMq:ExternalUserFrom={_options.ExternalUserFrom}); " +
                "every publish the node signs would be refused. Set the broker's ssl_cert_login_from = common_name, or RabbitMq:ExternalUserFrom=UserName and " +
                $"RabbitMq:UserName to the user rabbitmqctl list_connections shows. The broker said: {e.ShutdownReason.ReplyText}", e);
        }
    }
}
