namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// TLS to the broker (section <c>RabbitMq:Tls</c>). On when <see cref="Enabled"/> is true or <see cref="RabbitMqOptions.Uri"/>
/// is an <c>amqps://</c> URI. The broker's certificate is always verified (chain and name); nothing here turns that off.
/// </summary>
public sealed class RabbitMqTlsOptions
{
    /// <summary>Connect over TLS (the broker's TLS port, usually 5671: set <see cref="RabbitMqOptions.Port"/>).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The name the broker's certificate must carry (and the SNI name sent); empty means the host connected to. Set it
    /// when connecting by address to a certificate issued for a DNS name.
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// A PEM file of the CA certificates the broker's certificate must chain to; only these are trusted (the system's
    /// store is not). Empty means the system's trust store.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// The node's client certificate: a PEM file (its key in <see cref="ClientKeyFile"/>, or in the same file) or a
    /// PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with its key). Needed when the broker asks for one (<c>fail_if_no_peer_cert</c>)
    /// and for <see cref="RabbitMqOptions.AuthMechanism"/> <c>EXTERNAL</c>.
    /// </summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The client certificate's private key (PEM, PKCS#8 or PKCS#1) when it is not in <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>The PKCS#12 file's password, or the encrypted PEM key's. A secret: never logged.</summary>
    public string? ClientCertificatePassword { get; set; }
}
