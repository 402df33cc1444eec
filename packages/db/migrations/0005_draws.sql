CREATE TABLE "draws" (
	"id" text PRIMARY KEY NOT NULL,
	"meeting_id" text NOT NULL,
	"title" text NOT NULL,
	"entries" jsonb NOT NULL,
	"winners" integer NOT NULL,
	"seed_source" text NOT NULL,
	"seed" text,
	"key" text,
	"steps" jsonb,
	"result" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"seeded_at" timestamp with time zone,
	CONSTRAINT "draws_winners_check" CHECK ("draws"."winners" >= 1 and "draws"."winners" <= jsonb_array_length("draws"."entries")),
	CONSTRAINT "draws_seeded_check" CHECK (("draws"."seed" is null) = ("draws"."result" is null) and ("draws"."seed" is null) = ("draws"."key" is null) and ("draws"."seed" is null) = ("draws"."seeded_at" is null))
);
--> statement-breakpoint
ALTER TABLE "draws" ADD CONSTRAINT "draws_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "draws" ADD CONSTRAINT "draws_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "draws_meeting_idx" ON "draws" USING btree ("meeting_id");