// Events: retrieve (and a cursor list, handy for debugging).
import type { Engine } from "../engine";
import { listEnvelope } from "../list";
import type { Router } from "../router";
import { notFound, qString } from "../util";

export function registerEvents(r: Router, e: Engine): void {
  r.get("/v1/events/:id", (req) => {
    const ev = e.s.events[req.params.id ?? ""];
    if (!ev) throw notFound("event", req.params.id ?? "");
    return ev;
  });

  r.get("/v1/events", (req) => {
    const type = qString(req.query, "type");
    return listEnvelope(Object.values(e.s.events), {
      url: "/v1/events",
      style: "cursor",
      query: req.query,
      filter: (ev) => type === undefined || ev.type === type,
      render: (ev) => ev,
    });
  });
}
