namespace CrossMargin.Cluster.RabbitMq;

/// <summary>What the broker refused when a node connected (<see cref="BrokerRefusedException"/>).</summary>
public enum BrokerRefusal
{
    /// <summary>The login (<c>ACCESS_REFUSED</c>): a wrong password, or no such user (under EXTERNAL, the certificate's).</summary>
    Login,

    /// <summary>The virtual host (<c>NOT_ALLOWED</c>, 530): it does not exist, or the user has no permissions there.</summary>
    VirtualHost,

    /// <summary>The node's TLS client certificate: the broker's TLS ended the connection with an alert.</summary>
    ClientCertificate,
}
