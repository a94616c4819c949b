using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrossMargin.Testing.RabbitMq;
using RabbitMQ.Client;

namespace CrossMargin.Cluster.RabbitMq.Tests;

/// <summary>TLS and certificate-login settings, checked without a broker (the TLS broker's tests are the node's, RabbitMqTlsTests).</summary>
public sealed class RabbitMqTlsOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cm-tls-options-").FullName;
    private readonly TestCertificates _certificates;

    public RabbitMqTlsOptionsTests() => _certificates = TestCertificates.Create(_directory, "node-user");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private RabbitMqOptions CertificateLogin(Action<RabbitMqOptions>? configure = null)
    {
        var options = new RabbitMqOptions
        {
            Port = 5671,
            AuthMechanism = RabbitMqOptions.ExternalAuthMechanism,
            Tls =
            {
                Enabled = true,
                ServerName = "localhost",
                CaFile = _certificates.CaFile,
                ClientCertificateFile = _certificates.ClientCertificateFile,
                ClientKeyFile = _certificates.ClientKeyFile,
            },
        };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public void Tls_files_given_while_tls_is_off_are_refused_not_ignored()
    {
        var options = new RabbitMqOptions { Tls = { CaFile = _certificates.CaFile, ClientCertificateFile = _certificates.ClientCertificateFile } };

        var errors = options.Validate();

        Assert.Contains("RabbitMq:Tls:CaFile is set but TLS is off (set RabbitMq:Tls:Enabled=true or an amqps:// RabbitMq:Uri).", errors);
        Assert.Contains(errors, e => e.StartsWith("RabbitMq:Tls:ClientCertificateFile is set but TLS is off", StringComparison.Ordinal));
        Assert.Empty(CertificateLogin().Validate());
    }

    [Fact]
    public void Certificate_login_needs_tls_and_a_client_certificate()
    {
        var withoutTls = new RabbitMqOptions { AuthMechanism = RabbitMqOptions.ExternalAuthMechanism };
        var withoutCertificate = CertificateLogin(o => (o.Tls.ClientCertificateFile, o.Tls.ClientKeyFile) = (null, null));

        Assert.Contains(withoutTls.Validate(), e => e.Contains("EXTERNAL logs in with the client certificate", StringComparison.Ordinal));
        Assert.Contains(withoutCertificate.Validate(), e => e.Contains("EXTERNAL logs in with the client certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_mechanism_or_user_source_a_missing_file_and_a_key_without_a_certificate_are_reported_at_once()
    {
        var options = CertificateLogin(o =>
        {
            o.AuthMechanism = "AMQPLAIN";
            o.ExternalUserFrom = "Subject";
            o.Tls.CaFile = Path.Combine(_directory, "missing.pem");
            o.Tls.ClientCertificateFile = null;
        });

        var errors = options.Validate();

        Assert.Contains("RabbitMq:AuthMechanism must be PLAIN or EXTERNAL (was 'AMQPLAIN').", errors);
        Assert.Contains("RabbitMq:ExternalUserFrom must be CommonName or UserName (was 'Subject').", errors);
        Assert.Contains($"RabbitMq:Tls:CaFile '{Path.Combine(_directory, "missing.pem")}' does not exist.", errors);
        Assert.Contains("RabbitMq:Tls:ClientKeyFile and RabbitMq:Tls:ClientCertificatePassword need RabbitMq:Tls:ClientCertificateFile.", errors);
        Assert.False(new RabbitMqOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void An_amqps_uri_turns_tls_on_and_tls_with_a_plain_amqp_uri_is_refused()
    {
        var amqps = new RabbitMqOptions { Uri = new Uri("amqps://u:p@broker.example/"), Tls = { CaFile = _certificates.CaFile } };
        var contradiction = new RabbitMqOptions { Uri = new Uri("amqp://u:p@broker.example/"), Tls = { Enabled = true } };

        Assert.Empty(amqps.Validate());
        var (factory, user, check) = RabbitMqConnection.CreateFactory(amqps);
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal(("broker.example", 5671, "u"), (factory.Ssl.ServerName, factory.Port, user));
        Assert.NotNull(check);
        Assert.Contains("RabbitMq:Tls:Enabled is true but RabbitMq:Uri is amqp:// (plain): use amqps://.", contradiction.Validate());
    }

    [Fact]
    public void Under_certificate_login_the_user_is_the_certificates_common_name_unless_configured()
    {
        var (factory, user, _) = RabbitMqConnection.CreateFactory(CertificateLogin());
        var (_, configured, _) = RabbitMqConnection.CreateFactory(CertificateLogin(o =>
            (o.ExternalUserFrom, o.UserName) = (RabbitMqOptions.ExternalUserFromUserName, "O=CrossMargin tests,CN=node-user")));

        Assert.Equal("node-user", user);
        Assert.Equal("O=CrossMargin tests,CN=node-user", configured);
        Assert.IsType<ExternalMechanismFactory>(Assert.Single(factory.AuthMechanisms));
        Assert.Equal("localhost", factory.Ssl.ServerName);
        Assert.Equal("CN=node-user, O=CrossMargin tests", Assert.IsType<X509Certificate2>(Assert.Single(factory.Ssl.Certs!)).Subject);
        Assert.Equal("guest", RabbitMqConnection.CreateFactory(CertificateLogin(o => o.AuthMechanism = RabbitMqOptions.PlainAuthMechanism)).UserName);
    }

    [Fact]
    public void A_certificate_with_no_common_name_under_common_name_login_fails_saying_what_to_set()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        using var nameless = new CertificateRequest("O=CrossMargin tests, OU=nodes", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var file = Path.Combine(_directory, "nameless.pem");
        File.WriteAllText(file, nameless.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());

        var refused = Assert.Throws<ArgumentException>(() => RabbitMqConnection.CreateFactory(CertificateLogin(o => (o.Tls.ClientCertificateFile, o.Tls.ClientKeyFile) = (file, null))));

        Assert.Contains("has no common name: set RabbitMq:ExternalUserFrom=UserName and RabbitMq:UserName", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_client_certificate_fails_the_connect_naming_the_file_and_never_the_password()
    {
        var file = Path.Combine(_directory, "node.pfx");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(64));
        const string password = "pfx-secret-1234";

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => RabbitMqConnection.ConnectAsync(
            CertificateLogin(o => (o.Tls.ClientCertificateFile, o.Tls.ClientKeyFile, o.Tls.ClientCertificatePassword) = (file, null, password))));

        Assert.Contains($"RabbitMq:Tls:ClientCertificateFile '{file}' could not be read", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, refused.ToString(), StringComparison.Ordinal);
    }
}
