/** An unknown id inside the console (a detail page's notFound()): the same page, in the console's frame. */
export { default } from "../not-found";
