import { test as base, expect } from '../../lib/fixtures';
import { ApiStatusError, excerpt } from '../../lib/http/api-errors';
import { type NewPost, type Post, postsResource } from '../../lib/posts/posts-resource';
import type { ResourceApi } from '../../lib/resources/resource-api';
import type { User } from '../../lib/users/user-schema';

/** A user of this test and the API of its posts. */
interface Owner {
  user: User;
  posts: ResourceApi<Post, NewPost>;
  build: (overrides?: Partial<NewPost>) => NewPost;
}

const test = base.extend<{ owner: () => Promise<Owner> }>({
  // Each call creates a user (cleaned up, posts first) and hands out its posts. An environment whose
  // API has no posts under users answers the first post with 404: its tests skip, saying why.
  owner: async ({ users, api, factory }, use) => {
    const posts = factory.for(postsResource);
    await use(async () => {
      const user = await users.create(factory.build());
      const owned = api(postsResource, { userId: user.id });
      return { user, posts: owned, build: (overrides = {}) => posts.build(overrides) };
    });
  },
});

/** Creates a post, or skips the test when the environment does not have the resource. */
async function createPost(owner: Owner, overrides: Partial<NewPost> = {}): Promise<Post> {
  try {
    return await owner.posts.create(owner.build(overrides));
  } catch (error) {
    const missing = error instanceof ApiStatusError && error.status === 404;
    test.skip(missing, `this environment has no ${postsResource.path} (POST answered 404)`);
    throw error;
  }
}

test.describe('posts of a user (nested resource)', { tag: ['@crud', '@nested'] }, () => {
  test('a post is created under its user, carries the user id and reads back', async ({
    owner,
  }) => {
    const ann = await owner();
    const post = await createPost(ann, { title: `Hello ${ann.user.id}` });
    expect(post.userId).toBe(ann.user.id);
    await expect
      .poll(async () => (await ann.posts.find(post.id))?.title, ann.posts.pollOptions())
      .toBe(post.title);
  });

  test("a user's list holds exactly that user's posts", async ({ owner }) => {
    const [ann, bob] = [await owner(), await owner()];
    const annPosts = [await createPost(ann), await createPost(ann)];
    const bobPost = await createPost(bob);
    await expect
      .poll(async () => (await ann.posts.list()).map((p) => p.id).sort(), {
        message: "ann's posts to be listed",
        ...ann.posts.pollOptions(),
      })
      .toEqual(annPosts.map((p) => p.id).sort());
    await expect
      .poll(async () => (await bob.posts.list()).map((p) => p.id), bob.posts.pollOptions())
      .toEqual([bobPost.id]);
  });

  test("a post read under another user's path answers 404", async ({ owner }) => {
    const [ann, bob] = [await owner(), await owner()];
    const post = await createPost(ann);
    await ann.posts.waitUntilVisible(post.id);
    const response = await bob.posts.raw({ method: 'GET', path: post.id });
    expect(
      response.status,
      `GET /${bob.posts.path}/${post.id}. Body: ${excerpt(response.text)}`,
    ).toBe(404);
  });

  test('PATCH merges into a post and keeps its user', async ({ owner }) => {
    const ann = await owner();
    const post = await createPost(ann);
    const patched = await ann.posts.patch(post.id, { title: `${post.title ?? ''} (edited)` });
    expect(patched).toEqual({ ...post, title: `${post.title ?? ''} (edited)` });
    await ann.posts.waitUntilVisible(post.id, { title: patched.title });
  });

  test('a deleted post answers 404 and leaves its list', async ({ owner }) => {
    const ann = await owner();
    const [kept, gone] = [await createPost(ann), await createPost(ann)];
    expect((await ann.posts.delete(gone.id))?.id ?? gone.id).toBe(gone.id);
    await ann.posts.waitUntilDeleted(gone.id);
    await expect
      .poll(async () => (await ann.posts.list()).map((p) => p.id), ann.posts.pollOptions())
      .toEqual([kept.id]);
  });
});
