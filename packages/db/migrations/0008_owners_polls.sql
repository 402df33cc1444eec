CREATE TABLE "participant_units" (
	"meeting_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"user_id" text NOT NULL,
	"proxy" boolean DEFAULT false NOT NULL,
	CONSTRAINT "participant_units_meeting_id_unit_id_pk" PRIMARY KEY("meeting_id","unit_id")
);
--> statement-breakpoint
CREATE TABLE "poll_units" (
	"poll_id" text NOT NULL,
	"unit_id" text NOT NULL,
	"label" text NOT NULL,
	"head" text NOT NULL,
	"area" integer NOT NULL,
	"user_id" text,
	"proxy" boolean DEFAULT false NOT NULL,
	"paper" boolean DEFAULT false NOT NULL,
	CONSTRAINT "poll_units_poll_id_unit_id_pk" PRIMARY KEY("poll_id","unit_id")
);
--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "owners" jsonb;--> statement-breakpoint
ALTER TABLE "participant_units" ADD CONSTRAINT "participant_units_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participant_units" ADD CONSTRAINT "participant_units_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "participant_units" ADD CONSTRAINT "participant_units_meeting_id_user_id_participants_meeting_id_user_id_fk" FOREIGN KEY ("meeting_id","user_id") REFERENCES "public"."participants"("meeting_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_units" ADD CONSTRAINT "poll_units_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "participant_units_user_idx" ON "participant_units" USING btree ("meeting_id","user_id");--> statement-breakpoint
CREATE INDEX "poll_units_user_idx" ON "poll_units" USING btree ("poll_id","user_id");--> statement-breakpoint
CREATE INDEX "poll_units_head_idx" ON "poll_units" USING btree ("poll_id","head");