CREATE TABLE "communities" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "community_members" (
	"community_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "community_members_community_id_user_id_pk" PRIMARY KEY("community_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "meetings" (
	"id" text PRIMARY KEY NOT NULL,
	"community_id" text NOT NULL,
	"title" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"starts_at" timestamp with time zone,
	"location" text,
	"summary" text,
	"attendance_quorum" integer,
	"join_code" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "participants" (
	"meeting_id" text NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"affiliation" text NOT NULL,
	"role" text NOT NULL,
	"present" boolean DEFAULT true NOT NULL,
	"eligible" boolean DEFAULT true NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "participants_meeting_id_user_id_pk" PRIMARY KEY("meeting_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text,
	"password_hash" text,
	"name" text NOT NULL,
	"guest_of_meeting_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_snapshots" (
	"meeting_id" text PRIMARY KEY NOT NULL,
	"state" "bytea" NOT NULL,
	"up_to_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"meeting_id" text NOT NULL,
	"update" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follow_up_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"follow_up_id" text NOT NULL,
	"body" text NOT NULL,
	"status" text,
	"author_name" text NOT NULL,
	"author_affiliation" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follow_ups" (
	"id" text PRIMARY KEY NOT NULL,
	"community_id" text NOT NULL,
	"meeting_id" text,
	"agenda_item_id" text,
	"title" text NOT NULL,
	"owner_affiliation" text NOT NULL,
	"owner_user_id" text,
	"owner_name" text,
	"due_date" date,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "poll_ballots" (
	"id" text PRIMARY KEY NOT NULL,
	"poll_id" text NOT NULL,
	"choice" jsonb NOT NULL,
	"receipt" text NOT NULL,
	"batch_id" text,
	"voter_id" text
);
--> statement-breakpoint
CREATE TABLE "poll_eligible" (
	"poll_id" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "poll_eligible_poll_id_user_id_pk" PRIMARY KEY("poll_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "poll_voters" (
	"poll_id" text NOT NULL,
	"user_id" text NOT NULL,
	"state" text NOT NULL,
	"batch_id" text,
	"sealed_receipt" "bytea",
	CONSTRAINT "poll_voters_poll_id_user_id_pk" PRIMARY KEY("poll_id","user_id"),
	CONSTRAINT "poll_voters_state_check" CHECK ("poll_voters"."state" in ('pending', 'cast'))
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" text PRIMARY KEY NOT NULL,
	"meeting_id" text NOT NULL,
	"agenda_item_id" text,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"options" jsonb NOT NULL,
	"seats" integer,
	"rule" text,
	"quorum" double precision,
	"secret" boolean NOT NULL,
	"eligible_affiliations" jsonb,
	"status" text DEFAULT 'draft' NOT NULL,
	"eligible_count" integer DEFAULT 0 NOT NULL,
	"result" jsonb,
	"receipts" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"opened_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "polls_status_check" CHECK ("polls"."status" in ('draft', 'open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "speaker_queue" (
	"meeting_id" text NOT NULL,
	"user_id" text NOT NULL,
	"position" double precision NOT NULL,
	"state" text DEFAULT 'waiting' NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"limit_seconds" integer,
	CONSTRAINT "speaker_queue_meeting_id_user_id_pk" PRIMARY KEY("meeting_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "communities" ADD CONSTRAINT "communities_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_members" ADD CONSTRAINT "community_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participants" ADD CONSTRAINT "participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_snapshots" ADD CONSTRAINT "doc_snapshots_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doc_updates" ADD CONSTRAINT "doc_updates_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_notes" ADD CONSTRAINT "follow_up_notes_follow_up_id_follow_ups_id_fk" FOREIGN KEY ("follow_up_id") REFERENCES "public"."follow_ups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_ballots" ADD CONSTRAINT "poll_ballots_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_eligible" ADD CONSTRAINT "poll_eligible_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_eligible" ADD CONSTRAINT "poll_eligible_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_voters" ADD CONSTRAINT "poll_voters_poll_id_user_id_poll_eligible_poll_id_user_id_fk" FOREIGN KEY ("poll_id","user_id") REFERENCES "public"."poll_eligible"("poll_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speaker_queue" ADD CONSTRAINT "speaker_queue_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speaker_queue" ADD CONSTRAINT "speaker_queue_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "meetings_join_code_key" ON "meetings" USING btree ("join_code");--> statement-breakpoint
CREATE INDEX "meetings_community_idx" ON "meetings" USING btree ("community_id");--> statement-breakpoint
CREATE INDEX "participants_user_idx" ON "participants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key" ON "users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "doc_updates_meeting_idx" ON "doc_updates" USING btree ("meeting_id","id");--> statement-breakpoint
CREATE INDEX "follow_up_notes_follow_up_idx" ON "follow_up_notes" USING btree ("follow_up_id");--> statement-breakpoint
CREATE INDEX "follow_ups_community_idx" ON "follow_ups" USING btree ("community_id");--> statement-breakpoint
CREATE INDEX "follow_ups_meeting_idx" ON "follow_ups" USING btree ("meeting_id");--> statement-breakpoint
CREATE UNIQUE INDEX "poll_ballots_receipt_key" ON "poll_ballots" USING btree ("poll_id","receipt");--> statement-breakpoint
CREATE INDEX "poll_ballots_batch_idx" ON "poll_ballots" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "poll_voters_batch_idx" ON "poll_voters" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "polls_meeting_idx" ON "polls" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "speaker_queue_meeting_idx" ON "speaker_queue" USING btree ("meeting_id","position");