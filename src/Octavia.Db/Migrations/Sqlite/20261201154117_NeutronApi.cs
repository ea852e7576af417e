using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octavia.Db.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NeutronApi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows made before get Neutron's defaults: admin_state_up, enable_dhcp and port_security_enabled true.
            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "subnet",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "dns_nameservers",
                table: "subnet",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "enable_dhcp",
                table: "subnet",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "host_routes",
                table: "subnet",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "ipv6_address_mode",
                table: "subnet",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ipv6_ra_mode",
                table: "subnet",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "updated_at",
                table: "subnet",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "admin_state_up",
                table: "port",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "port",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "updated_at",
                table: "port",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "admin_state_up",
                table: "network",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "network",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "port_security_enabled",
                table: "network",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "shared",
                table: "network",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "updated_at",
                table: "network",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "description",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "dns_nameservers",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "enable_dhcp",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "host_routes",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "ipv6_address_mode",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "ipv6_ra_mode",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "subnet");

            migrationBuilder.DropColumn(
                name: "admin_state_up",
                table: "port");

            migrationBuilder.DropColumn(
                name: "description",
                table: "port");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "port");

            migrationBuilder.DropColumn(
                name: "admin_state_up",
                table: "network");

            migrationBuilder.DropColumn(
                name: "description",
                table: "network");

            migrationBuilder.DropColumn(
                name: "port_security_enabled",
                table: "network");

            migrationBuilder.DropColumn(
                name: "shared",
                table: "network");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "network");
        }
    }
}
