using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Tells a broker that refuses the node from one that cannot be reached, from what the client reports: a refused login
/// is an <see cref="AuthenticationFailureException"/> (<c>ACCESS_REFUSED</c>) inside the client's
/// <see cref="BrokerUnreachableException"/>; a refused virtual host is a connection the broker closes with 530 right
/// after opening it; a refused client certificate, under TLS 1.3, is only a reset socket (the broker judges the
/// certificate after the handshake, and its alert is lost when the client's first write meets the closed socket), so
/// a second TLS handshake that reads instead of writing is made to hear the alert.
/// </summary>
internal sealed class BrokerRefusals
{
    // Long enough for the broker's alert on a loaded machine; a broker that takes the certificate stays silent
    // (it waits for the AMQP header), so this is also what a reset for another reason costs on top of its retry.
    private static readonly TimeSpan AlertWait = TimeSpan.FromSeconds(2);

    private readonly RabbitMqOptions _options;
    private readonly ConnectionFactory _factory;
    private readonly string _userName;
    private readonly string _endpoint;

    /// <summary>Classifies failures of connections <paramref name="factory"/> makes for <paramref name="options"/>, logging in as <paramref name="userName"/>.</summary>
    public BrokerRefusals(RabbitMqOptions options, ConnectionFactory factory, string userName, string endpoint)
    {
        _options = options;
        _factory = factory;
        _userName = userName;
        _endpoint = endpoint;
    }

    /// <summary>The refusal behind a failed connect, or null when the broker may be unreachable (worth retrying).</summary>
    public async Task<BrokerRefusedException?> FindAsync(Exception failure, CancellationToken cancellationToken)
    {
        if (Find<AuthenticationFailureException>(failure) is { } login)
        {
            return Login(login.Message, failure);
        }

        if (Find<OperationInterruptedException>(failure)?.ShutdownReason is { } reason)
        {
            return reason.ReplyCode switch
            {
                Constants.AccessRefused => Login(reason.ReplyText, failure),
                Constants.NotAllowed => VirtualHost(reason.ReplyText, failure),
                _ => null,
            };
        }

        if (!_options.UsesTls || Find<ConnectFailureException>(failure) is not null)
        {
            return null;
        }

        if (AlertIn(failure) is { } alert)
        {
            return ClientCertificate(alert, failure);
        }

        // The broker's own certificate refused is the caller's (it says why); a reset after the handshake is asked again.
        return Find<AuthenticationException>(failure) is null && Find<IOException>(failure) is not null
            && await HearAlertAsync(cancellationToken).ConfigureAwait(false) is { } heard
            ? ClientCertificate(heard, failure)
            : null;
    }

    private BrokerRefusedException Login(string said, Exception failure)
    {
        var check = _options.AuthMechanism == RabbitMqOptions.ExternalAuthMechanism
            ? $"that RabbitMQ has a user '{_userName}' (rabbitmqctl add_user; its password is not used), and that the broker makes that user of the " +
              $"certificate (its ssl_cert_login_from; here RabbitMq:ExternalUserFrom={_options.ExternalUserFrom})"
            : $"that RabbitMQ has a user '{_userName}' and that RabbitMq:Password (or the URI's) is its password (rabbitmqctl authenticate_user '{_userName}' ...)";
        return Refused(BrokerRefusal.Login, $"refused the login of user '{_userName}'. Check {check}. The broker said: {said}", failure);
    }

    private BrokerRefusedException VirtualHost(string said, Exception failure) => Refused(BrokerRefusal.VirtualHost,
        $"refused user '{_userName}' the virtual host '{_factory.VirtualHost}'. Check that it exists (rabbitmqctl list_vhosts) and that the user " +
        $"has permissions there (rabbitmqctl set_permissions -p '{_factory.VirtualHost}' '{_userName}' ...). The broker said: {said}", failure);

    private BrokerRefusedException ClientCertificate(string alert, Exception failure)
    {
        var file = _options.Tls.ClientCertificateFile;
        var check = string.IsNullOrEmpty(file)
            ? "The broker asks for a client certificate (fail_if_no_peer_cert): set RabbitMq:Tls:ClientCertificateFile."
            : $"Check that a CA in the broker's ssl_options.cacertfile issued RabbitMq:Tls:ClientCertificateFile '{file}', that it is valid now and for client authentication.";
        return Refused(BrokerRefusal.ClientCertificate, $"refused this node's TLS client certificate (TLS alert: {alert}). {check}", failure);
    }

    private BrokerRefusedException Refused(BrokerRefusal refusal, string what, Exception failure) =>
        new(refusal, _endpoint, _userName, _options.AuthMechanism,
            $"RabbitMQ at {_endpoint} {what} (user '{_userName}', mechanism {_options.AuthMechanism}{(_options.UsesTls ? ", TLS" : "")})",
            failure);

    /// <summary>Connects over TLS as the client would and reads: a broker that refuses the certificate answers with an alert.</summary>
    private async Task<string?> HearAlertAsync(CancellationToken cancellationToken)
    {
        var endpoint = _factory.Endpoint;
        var ssl = endpoint.Ssl;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AlertWait);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(endpoint.HostName, endpoint.Port, timeout.Token).ConfigureAwait(false);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, ssl.CertificateValidationCallback, ssl.CertificateSelectionCallback);
            await using (tls.ConfigureAwait(false))
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = ssl.ServerName,
                    ClientCertificates = ssl.Certs,
                    EnabledSslProtocols = ssl.Version,
                    CertificateRevocationCheckMode = ssl.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                }, timeout.Token).ConfigureAwait(false);
                await tls.ReadAsync(new byte[1], timeout.Token).ConfigureAwait(false);
                return null;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return AlertIn(e);
        }
    }

    /// <summary>The TLS alert the broker sent (OpenSSL's words, e.g. "tlsv1 alert unknown ca"), if the failure carries one.</summary>
    private static string? AlertIn(Exception failure)
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is CryptographicException && e.Message.Contains(" alert ", StringComparison.Ordinal))
            {
                var at = e.Message.LastIndexOf(':');
                return e.Message[(at + 1)..].Trim();
            }
        }

        return null;
    }

    /// <summary>The first <typeparamref name="T"/> in <paramref name="failure"/>'s inner exceptions (aggregates included).</summary>
    internal static T? Find<T>(Exception failure)
        where T : Exception
    {
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions: var inner } && inner.Select(Find<T>).FirstOrDefault(f => f is not null) is { } nested)
            {
                return nested;
            }
        }

        return null;
    }
}
