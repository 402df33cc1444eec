CREATE TABLE "household_codes" (
	"round_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"code" text NOT NULL,
	CONSTRAINT "household_codes_round_id_unit_id_pk" PRIMARY KEY("round_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "idea_campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"community_id" text NOT NULL,
	"title" text NOT NULL,
	"code" text NOT NULL,
	"closes_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idea_move_items" (
	"move_id" text NOT NULL,
	"idea_id" text NOT NULL,
	"from_theme_id" text,
	CONSTRAINT "idea_move_items_move_id_idea_id_pk" PRIMARY KEY("move_id","idea_id")
);
--> statement-breakpoint
CREATE TABLE "idea_moves" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"theme_id" text,
	"actor_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "idea_photos" (
	"idea_id" text PRIMARY KEY NOT NULL,
	"mime" text NOT NULL,
	"bytes" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idea_themes" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"title" text NOT NULL,
	"category" text,
	"meeting_id" text,
	"agenda_item_id" text,
	"agenda_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ideas" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"campaign_id" text NOT NULL,
	"text" text NOT NULL,
	"building" text,
	"unit" text,
	"source" text NOT NULL,
	"collected_by" text,
	"receipt" text NOT NULL,
	"theme_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ideas_source_check" CHECK ("ideas"."source" in ('online', 'paper'))
);
--> statement-breakpoint
CREATE TABLE "ranking_rounds" (
	"id" text PRIMARY KEY NOT NULL,
	"campaign_id" text NOT NULL,
	"title" text NOT NULL,
	"method" text NOT NULL,
	"households" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"pairs_per_household" integer DEFAULT 10 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ranking_rounds_method_check" CHECK ("ranking_rounds"."method" in ('borda', 'pairwise')),
	CONSTRAINT "ranking_rounds_households_check" CHECK ("ranking_rounds"."households" in ('codes', 'open')),
	CONSTRAINT "ranking_rounds_status_check" CHECK ("ranking_rounds"."status" in ('open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "round_answers" (
	"round_id" text NOT NULL,
	"household" text NOT NULL,
	"building" text NOT NULL,
	"source" text NOT NULL,
	"collected_by" text,
	"ranking" jsonb,
	"pairs" jsonb,
	"seq" bigserial NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "round_answers_round_id_household_pk" PRIMARY KEY("round_id","household"),
	CONSTRAINT "round_answers_source_check" CHECK ("round_answers"."source" in ('online', 'paper'))
);
--> statement-breakpoint
CREATE TABLE "round_items" (
	"id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL,
	"label" text NOT NULL,
	"theme_id" text,
	"position" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY NOT NULL,
	"community_id" text NOT NULL,
	"building" text NOT NULL,
	"unit" text NOT NULL,
	"key" text NOT NULL,
	"area" integer,
	"owners" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"developer" boolean DEFAULT false NOT NULL,
	"position" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "household_codes" ADD CONSTRAINT "household_codes_round_id_ranking_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."ranking_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "household_codes" ADD CONSTRAINT "household_codes_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_campaigns" ADD CONSTRAINT "idea_campaigns_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_campaigns" ADD CONSTRAINT "idea_campaigns_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_move_items" ADD CONSTRAINT "idea_move_items_move_id_idea_moves_id_fk" FOREIGN KEY ("move_id") REFERENCES "public"."idea_moves"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_move_items" ADD CONSTRAINT "idea_move_items_idea_id_ideas_id_fk" FOREIGN KEY ("idea_id") REFERENCES "public"."ideas"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_moves" ADD CONSTRAINT "idea_moves_campaign_id_idea_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."idea_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_moves" ADD CONSTRAINT "idea_moves_theme_id_idea_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."idea_themes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_photos" ADD CONSTRAINT "idea_photos_idea_id_ideas_id_fk" FOREIGN KEY ("idea_id") REFERENCES "public"."ideas"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_themes" ADD CONSTRAINT "idea_themes_campaign_id_idea_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."idea_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idea_themes" ADD CONSTRAINT "idea_themes_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ideas" ADD CONSTRAINT "ideas_campaign_id_idea_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."idea_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ideas" ADD CONSTRAINT "ideas_theme_id_idea_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."idea_themes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ranking_rounds" ADD CONSTRAINT "ranking_rounds_campaign_id_idea_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."idea_campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_answers" ADD CONSTRAINT "round_answers_round_id_ranking_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."ranking_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_items" ADD CONSTRAINT "round_items_round_id_ranking_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."ranking_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_items" ADD CONSTRAINT "round_items_theme_id_idea_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."idea_themes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "household_codes_code_key" ON "household_codes" USING btree ("round_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "idea_campaigns_code_key" ON "idea_campaigns" USING btree ("code");--> statement-breakpoint
CREATE INDEX "idea_campaigns_community_idx" ON "idea_campaigns" USING btree ("community_id");--> statement-breakpoint
CREATE INDEX "idea_move_items_idea_idx" ON "idea_move_items" USING btree ("idea_id");--> statement-breakpoint
CREATE INDEX "idea_moves_campaign_idx" ON "idea_moves" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "idea_themes_campaign_idx" ON "idea_themes" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "idea_themes_agenda_idx" ON "idea_themes" USING btree ("meeting_id","agenda_item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ideas_receipt_key" ON "ideas" USING btree ("receipt");--> statement-breakpoint
CREATE INDEX "ideas_campaign_seq_idx" ON "ideas" USING btree ("campaign_id","seq");--> statement-breakpoint
CREATE INDEX "ideas_theme_idx" ON "ideas" USING btree ("theme_id");--> statement-breakpoint
CREATE INDEX "ranking_rounds_campaign_idx" ON "ranking_rounds" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "round_items_round_idx" ON "round_items" USING btree ("round_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "units_community_key" ON "units" USING btree ("community_id","key");--> statement-breakpoint
CREATE INDEX "units_community_position_idx" ON "units" USING btree ("community_id","position");