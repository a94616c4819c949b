using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrossMargin.Testing.RabbitMq;

/// <summary>
/// PEM files for a TLS broker, made fresh for one test run: a CA, the broker's certificate for <c>localhost</c> signed by
/// it, a client certificate signed by it whose common name is a RabbitMQ user, and a second CA that signed none of them
/// (a "wrong CA" for refusal tests); for the broker's refusals, a client certificate of the CA whose common name is no
/// RabbitMQ user, and one of the same user signed by the second CA. ECDSA P-256 (an RSA key takes seconds on a loaded machine), valid from a day ago for a week.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory, string clientUser)
    {
        Directory = directory;
        ClientUser = clientUser;
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The client certificate's common name (the user the broker logs it in as under <c>ssl_cert_login_from = common_name</c>).</summary>
    public string ClientUser { get; }

    /// <summary>The CA that signed the broker's and the client's certificates.</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>A CA that signed neither.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    /// <summary>The broker's certificate (subject and DNS name <c>localhost</c>).</summary>
    public string ServerCertificateFile => Path.Combine(Directory, "server.pem");

    /// <summary>The broker's private key.</summary>
    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>The client's certificate (CN <see cref="ClientUser"/>, O CrossMargin tests).</summary>
    public string ClientCertificateFile => Path.Combine(Directory, "client.pem");

    /// <summary>The client's private key (PKCS#8 PEM).</summary>
    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>The common name of <see cref="StrangerCertificateFile"/> (no RabbitMQ user of that name exists).</summary>
    public const string StrangerUser = "cm-stranger";

    /// <summary>A client certificate the CA signed whose common name is <see cref="StrangerUser"/>.</summary>
    public string StrangerCertificateFile => Path.Combine(Directory, "stranger.pem");

    /// <summary>The key of <see cref="StrangerCertificateFile"/>.</summary>
    public string StrangerKeyFile => Path.Combine(Directory, "stranger.key");

    /// <summary>A client certificate for <see cref="ClientUser"/> signed by the second CA (<see cref="OtherCaFile"/>), which the broker does not trust.</summary>
    public string ForeignCertificateFile => Path.Combine(Directory, "foreign.pem");

    /// <summary>The key of <see cref="ForeignCertificateFile"/>.</summary>
    public string ForeignKeyFile => Path.Combine(Directory, "foreign.key");

    /// <summary>Makes the certificates and writes them to <paramref name="directory"/> (created).</summary>
    public static TestCertificates Create(string directory, string clientUser)
    {
        System.IO.Directory.CreateDirectory(directory);
        var files = new TestCertificates(directory, clientUser);
        var now = TimeProvider.System.GetUtcNow();
        var (from, until) = (now.AddDays(-1), now.AddDays(7));
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = SelfSignedCa("CN=CrossMargin test CA", caKey, from, until);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = SelfSignedCa("CN=CrossMargin other CA", otherKey, from, until);
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        File.WriteAllText(files.OtherCaFile, other.ExportCertificatePem());

        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        Issue(ca, "CN=localhost", san.Build(), "1.3.6.1.5.5.7.3.1", from, until, files.ServerCertificateFile, files.ServerKeyFile, 2);
        Issue(ca, $"CN={clientUser}, O=CrossMargin tests", null, "1.3.6.1.5.5.7.3.2", from, until, files.ClientCertificateFile, files.ClientKeyFile, 3);
        Issue(ca, $"CN={StrangerUser}, O=CrossMargin tests", null, "1.3.6.1.5.5.7.3.2", from, until, files.StrangerCertificateFile, files.StrangerKeyFile, 4);
        Issue(other, $"CN={clientUser}, O=CrossMargin tests", null, "1.3.6.1.5.5.7.3.2", from, until, files.ForeignCertificateFile, files.ForeignKeyFile, 5);
        return files;
    }

    private static X509Certificate2 SelfSignedCa(string subject, ECDsa key, DateTimeOffset from, DateTimeOffset until)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(from, until);
    }

    private static void Issue(X509Certificate2 ca, string subject, X509Extension? san, string usage, DateTimeOffset from, DateTimeOffset until, string certificateFile, string keyFile, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        using var certificate = request.Create(ca, from, until, [serial]);
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
