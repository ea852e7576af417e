using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octavia.Amphora.Health;
using Octavia.Core.Configuration;
using Octavia.Drivers.Hosting;
using Octavia.Drivers.Local;

namespace Octavia.Drivers.Tests.Local;

/// <summary>The <c>[health_manager]</c> section the local compute drivers give each amphora's agent.</summary>
public sealed class LocalComputeDriverTests
{
    [Fact]
    public void HealthManagerSection_Default_SendsToTheHostOnTheReceiversPort_WithTheKeyFile()
    {
        var section = Read(LocalComputeDriver.HealthManagerSection(new HealthManagerOptions { BindPort = 5600 }, "198.51.100.1", "key-from-file"));

        Assert.Equal("198.51.100.1:5600", section.ControllerIpPortList);
        Assert.Equal(10, section.HeartbeatInterval);
        Assert.Equal("key-from-file", section.HeartbeatKey);
        Assert.Single(ControllerAddressList.Parse(section.ControllerIpPortList, out var rejected));
        Assert.Empty(rejected);
    }

    [Fact]
    public void HealthManagerSection_ControllerSettings_WinOverTheDefaults()
    {
        var controller = new HealthManagerOptions
        {
            ControllerIpPortList = "198.51.100.1:5555, [2001:db8::1]:5555",
            HeartbeatInterval = 2.5,
            HeartbeatKey = "configured-key",
        };

        var section = Read(LocalComputeDriver.HealthManagerSection(controller, "198.51.100.1", "key-from-file"));

        Assert.Equal("198.51.100.1:5555, [2001:db8::1]:5555", section.ControllerIpPortList);
        Assert.Equal(2.5, section.HeartbeatInterval);
        Assert.Equal("configured-key", section.HeartbeatKey);
    }

    [Fact]
    public void HealthManagerSection_Ipv6HostOrNone_IsStillAnAddressAndPort()
    {
        Assert.Equal("[2001:db8::1]:5555", Read(LocalComputeDriver.HealthManagerSection(new HealthManagerOptions(), "2001:db8::1", "k")).ControllerIpPortList);
        Assert.Equal("127.0.0.1:5555", Read(LocalComputeDriver.HealthManagerSection(new HealthManagerOptions(), null, "k")).ControllerIpPortList);
    }

    [Fact]
    public void AddOctaviaDrivers_BindsTheControllersHealthManagerSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["health_manager:bind_port"] = "5601",
            ["health_manager:heartbeat_interval"] = "3",
        }).Build();
        using var services = new ServiceCollection().AddOctaviaDrivers(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<HealthManagerOptions>>().Value;
        Assert.Equal((5601, 3.0), (options.BindPort, options.HeartbeatInterval));
    }

    /// <summary>Reads the section back the way the agent reads its configuration file.</summary>
    private static HealthManagerOptions Read(string section)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(section));
        var configuration = new ConfigurationBuilder().AddIniStream(stream).Build();
        return configuration.GetSection(HealthManagerOptions.SectionName).Get<HealthManagerOptions>()!;
    }
}
