namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// The broker answered and refused this node: its login, its virtual host or its TLS client certificate. Unlike an
/// unreachable broker this does not heal by waiting, so the first connect ends at once instead of retrying until
/// <see cref="RabbitMqOptions.ConnectTimeout"/>. The message names the broker, the user (never the password), the
/// mechanism and what to check.
/// </summary>
public sealed class BrokerRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerRefusedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokerRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the client's error.</summary>
    public BrokerRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="refusal"/> of <paramref name="userName"/> at <paramref name="endpoint"/>.</summary>
    public BrokerRefusedException(BrokerRefusal refusal, string endpoint, string userName, string mechanism, string message, Exception? innerException)
        : base(message, innerException)
    {
        Refusal = refusal;
        Endpoint = endpoint;
        UserName = userName;
        Mechanism = mechanism;
    }

    /// <summary>What the broker refused.</summary>
    public BrokerRefusal Refusal { get; }

    /// <summary>The broker as host:port/virtual host.</summary>
    public string Endpoint { get; } = "";

    /// <summary>The user the node logged in as.</summary>
    public string UserName { get; } = "";

    /// <summary>The login mechanism (<see cref="RabbitMqOptions.PlainAuthMechanism"/> or <see cref="RabbitMqOptions.ExternalAuthMechanism"/>).</summary>
    public string Mechanism { get; } = "";
}
