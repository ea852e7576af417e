using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Octavia.Db.Migrations.Sqlite
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    load_balancer_id = table.Column<string>(type: "TEXT", nullable: true),
                    compute_id = table.Column<string>(type: "TEXT", nullable: true),
                    lb_network_ip = table.Column<string>(type: "TEXT", nullable: true),
                    vrrp_ip = table.Column<string>(type: "TEXT", nullable: true),
                    ha_ip = table.Column<string>(type: "TEXT", nullable: true),
                    vrrp_port_id = table.Column<string>(type: "TEXT", nullable: true),
                    ha_port_id = table.Column<string>(type: "TEXT", nullable: true),
                    cert_expiration = table.Column<DateTime>(type: "TEXT", nullable: true),
                    cert_busy = table.Column<bool>(type: "INTEGER", nullable: false),
                    role = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    vrrp_interface = table.Column<string>(type: "TEXT", nullable: true),
                    vrrp_id = table.Column<int>(type: "INTEGER", nullable: true),
                    vrrp_priority = table.Column<int>(type: "INTEGER", nullable: true),
                    cached_zone = table.Column<string>(type: "TEXT", nullable: true),
                    image_id = table.Column<string>(type: "TEXT", nullable: true),
                    compute_flavor = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_amphora", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "availability_zone",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    availability_zone_profile_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_availability_zone", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "availability_zone_profile",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    provider_name = table.Column<string>(type: "TEXT", nullable: false),
                    availability_zone_data = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_availability_zone_profile", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "flavor",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    flavor_profile_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_flavor", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "flavor_profile",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    provider_name = table.Column<string>(type: "TEXT", nullable: false),
                    flavor_data = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_flavor_profile", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    phase = table.Column<string>(type: "TEXT", nullable: false),
                    step = table.Column<int>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    lease_owner = table.Column<string>(type: "TEXT", nullable: true),
                    lease_expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "listener_statistics",
                columns: table => new
                {
                    listener_id = table.Column<string>(type: "TEXT", nullable: false),
                    amphora_id = table.Column<string>(type: "TEXT", nullable: false),
                    bytes_in = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_out = table.Column<long>(type: "INTEGER", nullable: false),
                    active_connections = table.Column<long>(type: "INTEGER", nullable: false),
                    total_connections = table.Column<long>(type: "INTEGER", nullable: false),
                    request_errors = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_listener_statistics", x => new { x.listener_id, x.amphora_id });
                });

            migrationBuilder.CreateTable(
                name: "load_balancer",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    topology = table.Column<string>(type: "TEXT", nullable: true),
                    provider = table.Column<string>(type: "TEXT", nullable: false),
                    flavor_id = table.Column<string>(type: "TEXT", nullable: true),
                    availability_zone = table.Column<string>(type: "TEXT", nullable: true),
                    vip_address = table.Column<string>(type: "TEXT", nullable: true),
                    vip_port_id = table.Column<string>(type: "TEXT", nullable: true),
                    vip_subnet_id = table.Column<string>(type: "TEXT", nullable: true),
                    vip_network_id = table.Column<string>(type: "TEXT", nullable: true),
                    vip_qos_policy_id = table.Column<string>(type: "TEXT", nullable: true),
                    vip_sg_ids = table.Column<string>(type: "TEXT", nullable: false),
                    vip_vnic_type = table.Column<string>(type: "TEXT", nullable: false),
                    additional_vips = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_load_balancer", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quotas",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    load_balancer = table.Column<int>(type: "INTEGER", nullable: true),
                    listener = table.Column<int>(type: "INTEGER", nullable: true),
                    pool = table.Column<int>(type: "INTEGER", nullable: true),
                    health_monitor = table.Column<int>(type: "INTEGER", nullable: true),
                    member = table.Column<int>(type: "INTEGER", nullable: true),
                    l7_policy = table.Column<int>(type: "INTEGER", nullable: true),
                    l7_rule = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quotas", x => x.project_id);
                });

            migrationBuilder.CreateTable(
                name: "listener",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    load_balancer_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    protocol = table.Column<string>(type: "TEXT", nullable: false),
                    protocol_port = table.Column<int>(type: "INTEGER", nullable: false),
                    connection_limit = table.Column<int>(type: "INTEGER", nullable: false),
                    default_pool_id = table.Column<string>(type: "TEXT", nullable: true),
                    default_tls_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    sni_container_refs = table.Column<string>(type: "TEXT", nullable: false),
                    client_ca_tls_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    client_authentication = table.Column<string>(type: "TEXT", nullable: false),
                    client_crl_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    insert_headers = table.Column<string>(type: "TEXT", nullable: false),
                    timeout_client_data = table.Column<int>(type: "INTEGER", nullable: false),
                    timeout_member_connect = table.Column<int>(type: "INTEGER", nullable: false),
                    timeout_member_data = table.Column<int>(type: "INTEGER", nullable: false),
                    timeout_tcp_inspect = table.Column<int>(type: "INTEGER", nullable: false),
                    allowed_cidrs = table.Column<string>(type: "TEXT", nullable: true),
                    tls_ciphers = table.Column<string>(type: "TEXT", nullable: true),
                    tls_versions = table.Column<string>(type: "TEXT", nullable: true),
                    alpn_protocols = table.Column<string>(type: "TEXT", nullable: true),
                    hsts_max_age = table.Column<int>(type: "INTEGER", nullable: true),
                    hsts_include_subdomains = table.Column<bool>(type: "INTEGER", nullable: false),
                    hsts_preload = table.Column<bool>(type: "INTEGER", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    load_balancer_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    protocol = table.Column<string>(type: "TEXT", nullable: false),
                    lb_algorithm = table.Column<string>(type: "TEXT", nullable: false),
                    tls_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    tls_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    ca_tls_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    crl_container_ref = table.Column<string>(type: "TEXT", nullable: true),
                    tls_ciphers = table.Column<string>(type: "TEXT", nullable: true),
                    tls_versions = table.Column<string>(type: "TEXT", nullable: true),
                    alpn_protocols = table.Column<string>(type: "TEXT", nullable: true),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    session_persistence = table.Column<string>(type: "TEXT", nullable: true)
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    listener_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_pool_id = table.Column<string>(type: "TEXT", nullable: true),
                    redirect_url = table.Column<string>(type: "TEXT", nullable: true),
                    redirect_prefix = table.Column<string>(type: "TEXT", nullable: true),
                    redirect_http_code = table.Column<int>(type: "INTEGER", nullable: true),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    pool_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    delay = table.Column<int>(type: "INTEGER", nullable: false),
                    timeout = table.Column<int>(type: "INTEGER", nullable: false),
                    max_retries = table.Column<int>(type: "INTEGER", nullable: false),
                    max_retries_down = table.Column<int>(type: "INTEGER", nullable: false),
                    http_method = table.Column<string>(type: "TEXT", nullable: true),
                    url_path = table.Column<string>(type: "TEXT", nullable: true),
                    expected_codes = table.Column<string>(type: "TEXT", nullable: true),
                    http_version = table.Column<double>(type: "REAL", nullable: true),
                    domain_name = table.Column<string>(type: "TEXT", nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    pool_id = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    address = table.Column<string>(type: "TEXT", nullable: false),
                    protocol_port = table.Column<int>(type: "INTEGER", nullable: false),
                    weight = table.Column<int>(type: "INTEGER", nullable: false),
                    backup = table.Column<bool>(type: "INTEGER", nullable: false),
                    subnet_id = table.Column<string>(type: "TEXT", nullable: true),
                    monitor_address = table.Column<string>(type: "TEXT", nullable: true),
                    monitor_port = table.Column<int>(type: "INTEGER", nullable: true),
                    vnic_type = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
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
                    id = table.Column<string>(type: "TEXT", nullable: false),
                    project_id = table.Column<string>(type: "TEXT", nullable: false),
                    l7_policy_id = table.Column<string>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", nullable: false),
                    compare_type = table.Column<string>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", nullable: true),
                    value = table.Column<string>(type: "TEXT", nullable: false),
                    invert = table.Column<bool>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    provisioning_status = table.Column<string>(type: "TEXT", nullable: false),
                    operating_status = table.Column<string>(type: "TEXT", nullable: false),
                    tags = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: true)
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
