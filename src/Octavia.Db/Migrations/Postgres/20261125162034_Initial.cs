using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Octavia.Db.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "amphora",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    load_balancer_id = table.Column<string>(type: "text", nullable: true),
                    compute_id = table.Column<string>(type: "text", nullable: true),
                    lb_network_ip = table.Column<string>(type: "text", nullable: true),
                    vrrp_ip = table.Column<string>(type: "text", nullable: true),
                    ha_ip = table.Column<string>(type: "text", nullable: true),
                    vrrp_port_id = table.Column<string>(type: "text", nullable: true),
                    ha_port_id = table.Column<string>(type: "text", nullable: true),
                    cert_expiration = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    cert_busy = table.Column<bool>(type: "boolean", nullable: false),
                    role = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false),
                    vrrp_interface = table.Column<string>(type: "text", nullable: true),
                    vrrp_id = table.Column<int>(type: "integer", nullable: true),
                    vrrp_priority = table.Column<int>(type: "integer", nullable: true),
                    cached_zone = table.Column<string>(type: "text", nullable: true),
                    image_id = table.Column<string>(type: "text", nullable: true),
                    compute_flavor = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_amphora", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "availability_zone",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    availability_zone_profile_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_availability_zone", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "availability_zone_profile",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    provider_name = table.Column<string>(type: "text", nullable: false),
                    availability_zone_data = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_availability_zone_profile", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "flavor",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    flavor_profile_id = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_flavor", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "flavor_profile",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    provider_name = table.Column<string>(type: "text", nullable: false),
                    flavor_data = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_flavor_profile", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<string>(type: "text", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: false),
                    step = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    lease_owner = table.Column<string>(type: "text", nullable: true),
                    lease_expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "listener_statistics",
                columns: table => new
                {
                    listener_id = table.Column<string>(type: "text", nullable: false),
                    amphora_id = table.Column<string>(type: "text", nullable: false),
                    bytes_in = table.Column<long>(type: "bigint", nullable: false),
                    bytes_out = table.Column<long>(type: "bigint", nullable: false),
                    active_connections = table.Column<long>(type: "bigint", nullable: false),
                    total_connections = table.Column<long>(type: "bigint", nullable: false),
                    request_errors = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_listener_statistics", x => new { x.listener_id, x.amphora_id });
                });

            migrationBuilder.CreateTable(
                name: "load_balancer",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    topology = table.Column<string>(type: "text", nullable: true),
                    provider = table.Column<string>(type: "text", nullable: false),
                    flavor_id = table.Column<string>(type: "text", nullable: true),
                    availability_zone = table.Column<string>(type: "text", nullable: true),
                    vip_address = table.Column<string>(type: "text", nullable: true),
                    vip_port_id = table.Column<string>(type: "text", nullable: true),
                    vip_subnet_id = table.Column<string>(type: "text", nullable: true),
                    vip_network_id = table.Column<string>(type: "text", nullable: true),
                    vip_qos_policy_id = table.Column<string>(type: "text", nullable: true),
                    vip_sg_ids = table.Column<List<string>>(type: "text[]", nullable: false),
                    vip_vnic_type = table.Column<string>(type: "text", nullable: false),
                    additional_vips = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_load_balancer", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quotas",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "text", nullable: false),
                    load_balancer = table.Column<int>(type: "integer", nullable: true),
                    listener = table.Column<int>(type: "integer", nullable: true),
                    pool = table.Column<int>(type: "integer", nullable: true),
                    health_monitor = table.Column<int>(type: "integer", nullable: true),
                    member = table.Column<int>(type: "integer", nullable: true),
                    l7_policy = table.Column<int>(type: "integer", nullable: true),
                    l7_rule = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quotas", x => x.project_id);
                });

            migrationBuilder.CreateTable(
                name: "listener",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    load_balancer_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    protocol = table.Column<string>(type: "text", nullable: false),
                    protocol_port = table.Column<int>(type: "integer", nullable: false),
                    connection_limit = table.Column<int>(type: "integer", nullable: false),
                    default_pool_id = table.Column<string>(type: "text", nullable: true),
                    default_tls_container_ref = table.Column<string>(type: "text", nullable: true),
                    sni_container_refs = table.Column<List<string>>(type: "text[]", nullable: false),
                    client_ca_tls_container_ref = table.Column<string>(type: "text", nullable: true),
                    client_authentication = table.Column<string>(type: "text", nullable: false),
                    client_crl_container_ref = table.Column<string>(type: "text", nullable: true),
                    insert_headers = table.Column<string>(type: "text", nullable: false),
                    timeout_client_data = table.Column<int>(type: "integer", nullable: false),
                    timeout_member_connect = table.Column<int>(type: "integer", nullable: false),
                    timeout_member_data = table.Column<int>(type: "integer", nullable: false),
                    timeout_tcp_inspect = table.Column<int>(type: "integer", nullable: false),
                    allowed_cidrs = table.Column<List<string>>(type: "text[]", nullable: true),
                    tls_ciphers = table.Column<string>(type: "text", nullable: true),
                    tls_versions = table.Column<List<string>>(type: "text[]", nullable: true),
                    alpn_protocols = table.Column<List<string>>(type: "text[]", nullable: true),
                    hsts_max_age = table.Column<int>(type: "integer", nullable: true),
                    hsts_include_subdomains = table.Column<bool>(type: "boolean", nullable: false),
                    hsts_preload = table.Column<bool>(type: "boolean", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_listener", x => x.id);
                    table.ForeignKey(
                        name: "FK_listener_load_balancer_load_balancer_id",
                        column: x => x.load_balancer_id,
                        principalTable: "load_balancer",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    load_balancer_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    protocol = table.Column<string>(type: "text", nullable: false),
                    lb_algorithm = table.Column<string>(type: "text", nullable: false),
                    tls_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    tls_container_ref = table.Column<string>(type: "text", nullable: true),
                    ca_tls_container_ref = table.Column<string>(type: "text", nullable: true),
                    crl_container_ref = table.Column<string>(type: "text", nullable: true),
                    tls_ciphers = table.Column<string>(type: "text", nullable: true),
                    tls_versions = table.Column<List<string>>(type: "text[]", nullable: true),
                    alpn_protocols = table.Column<List<string>>(type: "text[]", nullable: true),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    session_persistence = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_pool", x => x.id);
                    table.ForeignKey(
                        name: "FK_pool_load_balancer_load_balancer_id",
                        column: x => x.load_balancer_id,
                        principalTable: "load_balancer",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "l7policy",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    listener_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    action = table.Column<string>(type: "text", nullable: false),
                    redirect_pool_id = table.Column<string>(type: "text", nullable: true),
                    redirect_url = table.Column<string>(type: "text", nullable: true),
                    redirect_prefix = table.Column<string>(type: "text", nullable: true),
                    redirect_http_code = table.Column<int>(type: "integer", nullable: true),
                    position = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_l7policy", x => x.id);
                    table.ForeignKey(
                        name: "FK_l7policy_listener_listener_id",
                        column: x => x.listener_id,
                        principalTable: "listener",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "health_monitor",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    pool_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    delay = table.Column<int>(type: "integer", nullable: false),
                    timeout = table.Column<int>(type: "integer", nullable: false),
                    max_retries = table.Column<int>(type: "integer", nullable: false),
                    max_retries_down = table.Column<int>(type: "integer", nullable: false),
                    http_method = table.Column<string>(type: "text", nullable: true),
                    url_path = table.Column<string>(type: "text", nullable: true),
                    expected_codes = table.Column<string>(type: "text", nullable: true),
                    http_version = table.Column<double>(type: "double precision", nullable: true),
                    domain_name = table.Column<string>(type: "text", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_health_monitor", x => x.id);
                    table.ForeignKey(
                        name: "FK_health_monitor_pool_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pool",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "member",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    pool_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    protocol_port = table.Column<int>(type: "integer", nullable: false),
                    weight = table.Column<int>(type: "integer", nullable: false),
                    backup = table.Column<bool>(type: "boolean", nullable: false),
                    subnet_id = table.Column<string>(type: "text", nullable: true),
                    monitor_address = table.Column<string>(type: "text", nullable: true),
                    monitor_port = table.Column<int>(type: "integer", nullable: true),
                    vnic_type = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_member", x => x.id);
                    table.ForeignKey(
                        name: "FK_member_pool_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pool",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "l7rule",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    project_id = table.Column<string>(type: "text", nullable: false),
                    l7_policy_id = table.Column<string>(type: "text", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    compare_type = table.Column<string>(type: "text", nullable: false),
                    key = table.Column<string>(type: "text", nullable: true),
                    value = table.Column<string>(type: "text", nullable: false),
                    invert = table.Column<bool>(type: "boolean", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    provisioning_status = table.Column<string>(type: "text", nullable: false),
                    operating_status = table.Column<string>(type: "text", nullable: false),
                    tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_l7rule", x => x.id);
                    table.ForeignKey(
                        name: "FK_l7rule_l7policy_l7_policy_id",
                        column: x => x.l7_policy_id,
                        principalTable: "l7policy",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_amphora_load_balancer_id",
                table: "amphora",
                column: "load_balancer_id");

            migrationBuilder.CreateIndex(
                name: "IX_flavor_name",
                table: "flavor",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_health_monitor_pool_id",
                table: "health_monitor",
                column: "pool_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_jobs_status_id",
                table: "jobs",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_l7policy_listener_id",
                table: "l7policy",
                column: "listener_id");

            migrationBuilder.CreateIndex(
                name: "IX_l7rule_l7_policy_id",
                table: "l7rule",
                column: "l7_policy_id");

            migrationBuilder.CreateIndex(
                name: "IX_listener_load_balancer_id",
                table: "listener",
                column: "load_balancer_id");

            migrationBuilder.CreateIndex(
                name: "IX_listener_project_id",
                table: "listener",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "IX_load_balancer_created_at_id",
                table: "load_balancer",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_load_balancer_project_id",
                table: "load_balancer",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "IX_load_balancer_provisioning_status",
                table: "load_balancer",
                column: "provisioning_status");

            migrationBuilder.CreateIndex(
                name: "IX_member_pool_id_address_protocol_port",
                table: "member",
                columns: new[] { "pool_id", "address", "protocol_port" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_member_project_id",
                table: "member",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "IX_pool_load_balancer_id",
                table: "pool",
                column: "load_balancer_id");

            migrationBuilder.CreateIndex(
                name: "IX_pool_project_id",
                table: "pool",
                column: "project_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "amphora");

            migrationBuilder.DropTable(
                name: "availability_zone");

            migrationBuilder.DropTable(
                name: "availability_zone_profile");

            migrationBuilder.DropTable(
                name: "flavor");

            migrationBuilder.DropTable(
                name: "flavor_profile");

            migrationBuilder.DropTable(
                name: "health_monitor");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "l7rule");

            migrationBuilder.DropTable(
                name: "listener_statistics");

            migrationBuilder.DropTable(
                name: "member");

            migrationBuilder.DropTable(
                name: "quotas");

            migrationBuilder.DropTable(
                name: "l7policy");

            migrationBuilder.DropTable(
                name: "pool");

            migrationBuilder.DropTable(
                name: "listener");

            migrationBuilder.DropTable(
                name: "load_balancer");
        }
    }
}
