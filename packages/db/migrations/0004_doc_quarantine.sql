CREATE TABLE "doc_quarantine" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"meeting_id" text NOT NULL,
	"source" text NOT NULL,
	"original_id" bigint,
	"bytes" "bytea" NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "doc_quarantine" ADD CONSTRAINT "doc_quarantine_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "doc_quarantine_meeting_idx" ON "doc_quarantine" USING btree ("meeting_id");