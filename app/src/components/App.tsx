/** The whole app: picks the page for the current URL. */
import { lazy, Suspense } from "react";
import { useRoute } from "../lib/router";
import { HomePage } from "./HomePage";
import { NotFound } from "./NotFound";
import { RoomSkeleton } from "./Skeleton";

// The room (editor, Yjs, socket) is most of the bundle; the start page loads without it.
const RoomPage = lazy(() => import("./RoomPage").then((m) => ({ default: m.RoomPage })));
const EmbedPage = lazy(() => import("./EmbedPage").then((m) => ({ default: m.EmbedPage })));
const InspectPage = lazy(() => import("../inspect/InspectPage").then((m) => ({ default: m.InspectPage })));

export function App() {
  const route = useRoute();
  switch (route.page) {
    case "home":
      return <HomePage />;
    case "room":
      return (
        <Suspense fallback={<RoomSkeleton />}>
          <RoomPage key={route.roomId} roomId={route.roomId} />
        </Suspense>
      );
    case "embed":
      return (
        <Suspense fallback={<div className="embed embed-loading" aria-busy="true" />}>
          <EmbedPage key={route.roomId} roomId={route.roomId} />
        </Suspense>
      );
    case "inspect":
      return (
        <Suspense fallback={<main className="inspect" aria-busy="true" />}>
          <InspectPage roomId={route.roomId} />
        </Suspense>
      );
    case "not-found":
      return <NotFound path={route.path} reason={route.reason} />;
  }
}
