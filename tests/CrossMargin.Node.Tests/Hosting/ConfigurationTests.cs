using CrossMargin.Node.Hosting;
using Microsoft.AspNetCore.Builder;

namespace CrossMargin.Node.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Fact]
    public void Settings_given_after_the_configuration_directory_on_the_command_line_override_the_files()
    {
        var config = ConfigurationDirectory.Resolve([]);
        string[] args = ["--config-dir", config, "--Node:ShardCount=7", "--Simulator:Enabled=false"];
        var builder = WebApplication.CreateBuilder();

        builder.AddCrossMarginConfiguration(ConfigurationDirectory.Resolve(args), args);

        Assert.Equal("7", builder.Configuration["Node:ShardCount"]);
        Assert.Equal("false", builder.Configuration["Simulator:Enabled"]);
        Assert.Equal(config, builder.Configuration["ConfigDirectory"]);
    }

    [Fact]
    public void The_data_directory_is_relative_to_the_directory_holding_the_configuration()
    {
        var options = new NodeOptions { DataDirectory = "data" };

        Assert.Equal(Path.GetFullPath("/srv/venue/data"), options.DataPath("/srv/venue/config"));
        Assert.Equal(Path.GetFullPath("/var/lib/cm"), new NodeOptions { DataDirectory = "/var/lib/cm" }.DataPath("/srv/venue/config"));
    }
}
