using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossMargin.Node.Hosting;
using CrossMargin.Node.Tests.Api;
using CrossMargin.Risk.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

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

    [Fact]
    public Task A_mode_file_without_the_section_its_mode_needs_stops_the_node_at_start_naming_file_slot_and_section() =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<RiskInputException>(() => NodeUnderTest.StartAsync(data, "--Node:SimmMarginFile=risk/standard.json"));

            Assert.Contains("standard.json (the simm margin file)", e.Message, StringComparison.Ordinal);
            Assert.Contains("no \"simm\" section", e.Message, StringComparison.Ordinal);
        });

    [Fact]
    public Task A_bad_sqlite_setting_stops_the_node_at_start_naming_the_setting() =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
                NodeUnderTest.StartAsync(data, "--Persistence:Sqlite:CheckpointPages=40000", "--Persistence:Sqlite:WalHardLimitPages=1000"));

            Assert.Contains("WalHardLimitPages", e.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public Task A_rejection_log_size_out_of_range_stops_the_node_at_start_naming_the_setting(string entries) =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => NodeUnderTest.StartAsync(data, "--Rejections:RecentEntries=" + entries));

            Assert.Contains("Rejections:RecentEntries must be from 1 to 100,000", e.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public Task A_journal_append_pool_out_of_range_stops_the_node_at_start_naming_the_setting(string connections) =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => NodeUnderTest.StartAsync(data, "--Cluster:JournalAppendConnections=" + connections));

            Assert.Contains("Cluster:JournalAppendConnections must be from 1 to 64", e.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("-00:00:00.001")]
    [InlineData("00:00:01.001")]
    public Task A_journal_linger_out_of_range_stops_the_node_at_start_naming_the_setting(string linger) =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => NodeUnderTest.StartAsync(data, "--Cluster:JournalLinger=" + linger));

            Assert.Contains("Cluster:JournalLinger must be from 0 to 1 s", e.Message, StringComparison.Ordinal);
        });

    [Fact]
    public Task A_bad_simulator_setting_stops_the_node_at_start_naming_the_setting() =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
                NodeUnderTest.StartAsync(data, "--Simulator:Enabled=true", "--Simulator:TickInterval=00:00:00"));

            Assert.Contains("Simulator:TickInterval must be more than zero", e.Message, StringComparison.Ordinal);
        });

    [Fact]
    public Task A_sequence_jump_limit_below_one_stops_the_node_at_start_naming_the_setting() =>
        InDataDirectoryAsync(async data =>
        {
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => NodeUnderTest.StartAsync(data, "--Node:MaxSequenceJump=0"));

            Assert.Contains("Node:MaxSequenceJump must be 1 or more", e.Message, StringComparison.Ordinal);
        });

    [Fact]
    public Task The_configured_sequence_jump_limit_is_the_one_accounts_refuse_beyond() =>
        InDataDirectoryAsync(async data =>
        {
            await using var node = await NodeUnderTest.StartAsync(data, "--Node:MaxSequenceJump=10");
            async Task<(HttpStatusCode Status, string? Code)> DepositAsync(string id, long sequence)
            {
                using var response = await node.Client.PostAsJsonAsync("/api/v1/deposits",
                    new { messageId = id, source = "wallet", sequence, accountId = "alice", asset = "USDT", amount = 100 });
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                return (response.StatusCode, body.TryGetProperty("code", out var code) ? code.GetString() : null);
            }

            using (var opened = await node.Client.PostAsJsonAsync("/api/v1/accounts", new { messageId = "open-alice", source = "accounts", sequence = 1, accountId = "alice" }))
            {
                Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await DepositAsync("d1", 1)).Status);
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "sequenceJump"), await DepositAsync("d12", 12));
            Assert.Equal(HttpStatusCode.OK, (await DepositAsync("d11", 11)).Status);
        });

    [Fact]
    public Task The_sqlite_settings_of_the_configuration_reach_the_embedded_journal() =>
        InDataDirectoryAsync(async data =>
        {
            await using (await NodeUnderTest.StartAsync(data, "--Persistence:Sqlite:FileName=venue-journal.db"))
            {
                Assert.True(File.Exists(Path.Combine(data, "venue-journal.db")), "the journal file named by Persistence:Sqlite:FileName");
            }

            Assert.False(File.Exists(Path.Combine(data, "journal.db")));
        });

    // A fresh data directory for one node start, removed afterwards (SQLite's pooled connections closed first).
    private static async Task InDataDirectoryAsync(Func<string, Task> test)
    {
        var data = Directory.CreateTempSubdirectory("cm-node-").FullName;
        try
        {
            await test(data);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }
}
